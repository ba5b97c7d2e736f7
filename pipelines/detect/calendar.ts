import chineseDays from 'chinese-days';

/**
 * Calendar features of a day for the expected-value model: weekday, official holidays and make-up
 * working days (调休), the first working day after a long break, and bins of days to the Spring
 * Festival — all from the official calendar in `chinese-days`.
 */

const { getDayDetail, isWorkday, getLunarDate } = chineseDays as unknown as {
  getDayDetail(d: string): { work: boolean; name: string };
  isWorkday(d: string): boolean;
  getLunarDate(d: string): { lunarMon: number; lunarDay: number; isLeap: boolean };
};

const DAY_MS = 86_400_000;
export const dayIndex = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
export const dayString = (index: number) => new Date(index * DAY_MS).toISOString().slice(0, 10);

const festivalCache = new Map<number, number>();
/** Day index of the first day of the lunar year that starts in Gregorian `year`. */
export function springFestival(year: number): number {
  const cached = festivalCache.get(year);
  if (cached !== undefined) return cached;
  for (let i = dayIndex(`${year}-01-15`); i <= dayIndex(`${year}-02-25`); i++) {
    const lunar = getLunarDate(dayString(i));
    if (lunar.lunarMon === 1 && lunar.lunarDay === 1 && !lunar.isLeap) {
      festivalCache.set(year, i);
      return i;
    }
  }
  throw new Error(`no Spring Festival found in ${year}`);
}

export interface DayFeatures {
  weekday: number; // 0 = Sunday
  holiday: boolean; // an official public holiday (not a plain weekend)
  makeUpWorkday: boolean; // a weekend day that is a working day (调休)
  afterBreak: boolean; // first working day after ≥ 3 days off
  /** 0 = none; 1: 1–7 days before the Spring Festival, 2: 8–21, 3: 22–42, 4: 1–10 days after it. */
  festivalBin: number;
}

const cache = new Map<number, DayFeatures>();

export function dayFeatures(index: number): DayFeatures {
  const cached = cache.get(index);
  if (cached) return cached;
  const day = dayString(index);
  const weekday = new Date(index * DAY_MS).getUTCDay();
  const work = isWorkday(day);
  const detail = getDayDetail(day);
  // Official holidays carry their name ("National Day,国庆节,3"); a plain weekend is just "Saturday".
  const holiday = !work && detail.name.includes(',');
  const makeUpWorkday = work && (weekday === 0 || weekday === 6);
  let afterBreak = false;
  if (work) {
    let off = 0;
    for (let k = 1; k <= 10 && !isWorkday(dayString(index - k)); k++) off++;
    afterBreak = off >= 3;
  }
  const year = Number(day.slice(0, 4));
  const festivals = [springFestival(year), springFestival(year + 1)];
  let festivalBin = 0;
  for (const f of festivals) {
    const before = f - index;
    if (before >= 1 && before <= 7) festivalBin = 1;
    else if (before >= 8 && before <= 21) festivalBin = 2;
    else if (before >= 22 && before <= 42) festivalBin = 3;
    else if (before <= 0 && before >= -10) festivalBin = 4;
  }
  const features = { weekday, holiday, makeUpWorkday, afterBreak, festivalBin };
  cache.set(index, features);
  return features;
}
