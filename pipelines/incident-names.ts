/**
 * How incidents and their series are named and their p-values written, everywhere (mails, CLI,
 * dashboard, reports). No imports: the browser bundle uses it too.
 */

export type MemberLevel = 'l1' | 'l2' | 'district' | 'l1_district' | 'l2_district' | 'burst' | 'topic';

const LEVEL_NAMES: Record<MemberLevel, string> = { l1: '一级分类', l2: '二级分类', district: '区县', l1_district: '区县 × 一级分类', l2_district: '区县 × 二级分类', burst: '集中突发', topic: '话题' };
export const levelName = (level: string) => LEVEL_NAMES[level as MemberLevel] ?? level;

/** What an alarm's count covers: a day, the hours of a burst, or the week of a streak (a week at one place). */
export const windowOf = (m: { level: string; channel?: string | null }): 'day' | 'hour' | 'week' => (m.channel === 'streak' ? 'week' : m.level === 'burst' ? 'hour' : 'day');

/**
 * What the series is about: '停水'; '全部诉求' for a district's every ticket; '集中反映' for a
 * burst of tickets without a category; a topic surge's description ('话题：翠苑华府整个小区都停水了')
 * — never an empty title.
 */
export function topicOf(s: { level: string; category_l1: string | null; category_l2: string | null; topic?: string | null }): string {
  const fallback = s.level === 'burst' ? '集中反映' : '未分类';
  if (s.level === 'topic') return `话题：${s.topic || '未命名'}`;
  if (s.level === 'district') return '全部诉求';
  if (s.level === 'l1' || s.level === 'l1_district') return s.category_l1 || fallback;
  return s.category_l2 || s.category_l1 || fallback;
}

/**
 * Where: '全辖区', '昌吉市', or '昌吉市 · 翠苑华府' — the district named once, and a place only once:
 * a topic whose description names its place ('话题：明珠华府暖气片冰凉') is '阜康市', not '阜康市 · 明珠华府'.
 */
export function whereOf(s: { district: string | null; place: string | null; level?: string; topic?: string | null }): string {
  const named = s.level === 'topic' && s.district && s.place && s.topic?.includes(s.place);
  return [s.district || (s.place ? null : '全辖区'), named ? null : s.place].filter(Boolean).join(' · ');
}

/** '停水 · 昌吉市 · 翠苑华府', '供水 · 全辖区'. */
export function seriesName(s: { level: string; category_l1: string | null; category_l2: string | null; district: string | null; place: string | null; topic?: string | null }): string {
  return `${topicOf(s)} · ${whereOf(s)}`;
}

/**
 * A member series of an incident by name: the series, and for a week at one place '· 一周集中' —
 * a place's burst (hours) and its week share the series' name, and an incident holds both.
 */
export function memberName(m: Parameters<typeof seriesName>[0] & { channel?: string | null }): string {
  return windowOf(m) === 'week' ? `${seriesName(m)} · 一周集中` : seriesName(m);
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 0.0032 → '0.0032'; 3.2e-6 → '3.2 × 10⁻⁶'. */
export function formatP(p: number): string {
  if (!(p > 0)) return '< 10⁻¹⁶';
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  const exponent = Math.floor(Math.log10(p));
  let mantissa = Number((p / 10 ** exponent).toPrecision(2));
  let power = exponent;
  if (mantissa >= 10) {
    mantissa /= 10;
    power += 1;
  }
  const sup = String(power).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
  return mantissa === 1 ? `10${sup}` : `${mantissa} × 10${sup}`;
}
