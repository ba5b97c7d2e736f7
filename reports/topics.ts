/**
 * The special-report topics (专报): a topic is the tickets whose category_l1 or category_l2 is one of
 * `categories`, or whose text contains one of `keywords`. Defaults for the Changji hotline; the
 * lead moves them into hotline.config.json later (same shape).
 */
export interface ReportTopic {
  /** The name used on the command line (--topic). */
  name: string;
  /** The Chinese title of the report. */
  title: string;
  categories: string[];
  keywords: string[];
  /** The calendar months the topic is in season, for the trend chart and the text. */
  seasonMonths: number[];
}

export const REPORT_TOPICS: readonly ReportTopic[] = [
  { name: 'noise', title: '噪声扰民', categories: ['噪声扰民'], keywords: ['噪声', '噪音'], seasonMonths: [5, 6, 7, 8, 9] },
  { name: 'heating', title: '供暖', categories: ['供暖', '供暖不热', '供暖收费'], keywords: ['暖气', '供热'], seasonMonths: [10, 11, 12, 1, 2, 3, 4] },
  { name: 'wage-arrears', title: '欠薪', categories: ['欠薪'], keywords: ['欠薪', '拖欠工资', '讨薪'], seasonMonths: [11, 12, 1, 2] },
  { name: 'property', title: '物业', categories: ['物业管理'], keywords: ['物业'], seasonMonths: [] },
  { name: 'water', title: '供水', categories: ['供水', '停水', '水质问题'], keywords: ['停水', '供水'], seasonMonths: [6, 7, 8] },
];

/** A topic by its command-line name or its Chinese title. */
export function findTopic(name: string, topics: readonly ReportTopic[] = REPORT_TOPICS): ReportTopic | undefined {
  return topics.find((t) => t.name === name || t.title === name);
}
