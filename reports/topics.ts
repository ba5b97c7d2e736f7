import { DEFAULT_REPORT_TOPICS, type Config } from '../pipelines/config.js';

/**
 * The special-report topics (专报) come from the config (`reports.topics`): a topic is the tickets
 * whose category_l1 or category_l2 is one of `categories`, or whose text contains one of `keywords`.
 * The defaults (noise, heating, wage arrears, property, water) are in pipelines/config.ts.
 */
export type ReportTopic = Config['reports']['topics'][number];

export const REPORT_TOPICS: readonly ReportTopic[] = DEFAULT_REPORT_TOPICS as ReportTopic[];

/** A topic by its command-line name or its Chinese title. */
export function findTopic(name: string, topics: readonly ReportTopic[] = REPORT_TOPICS): ReportTopic | undefined {
  return topics.find((t) => t.name === name || t.title === name);
}
