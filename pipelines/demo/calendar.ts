import chineseDays from 'chinese-days';
import { WEEKDAY, type Season } from './changji.js';

/**
 * The official calendar as it shapes hotline demand: working days, public holidays and make-up
 * working days (调休) from chinese-days, the backlog after long breaks, and the lunar Spring
 * Festival that moves between late January and late February.
 *
 * Times are "wall-clock milliseconds": Date.UTC of the Beijing wall-clock time, so that no time
 * zone ever enters the arithmetic.
 */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export interface CalendarDay {
  /** Wall-clock milliseconds of 00:00. */
  ms: number;
  date: string;
  /** 0 = Sunday. */
  weekday: number;
  dayOfYear: number;
  work: boolean;
  /** A statutory holiday (not merely a weekend). */
  holiday: boolean;
  springFestivalHoliday: boolean;
  /** A weekend day worked to make up for a holiday. */
  makeUpDay: boolean;
  /** 1 on the first working day after a break of three days or more that held a holiday, 2 on the second. */
  afterLongBreak: 0 | 1 | 2;
  /** Days until the next Spring Festival (0 on the day itself). */
  daysToSpringFestival: number;
  /** Days since the last Spring Festival (0 on the day itself). */
  daysSinceSpringFestival: number;
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const dateMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dateOfDay = new Map<number, string>();

/** 'YYYY-MM-DD HH:mm:ss' of a wall-clock instant, to the second (called millions of times: no Date). */
export function stamp(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const dayNumber = Math.floor(seconds / 86_400);
  let date = dateOfDay.get(dayNumber);
  if (date === undefined) dateOfDay.set(dayNumber, (date = isoDate(dayNumber * DAY_MS)));
  const rest = seconds - dayNumber * 86_400;
  return `${date} ${TWO_DIGITS[Math.floor(rest / 3600)]}:${TWO_DIGITS[Math.floor(rest / 60) % 60]}:${TWO_DIGITS[rest % 60]}`;
}

/** Spring Festival (正月初一) dates from the lunar calendar, for the years around the range. */
function springFestivals(fromYear: number, toYear: number): number[] {
  const days: number[] = [];
  for (let year = fromYear; year <= toYear; year++) days.push(dateMs(chineseDays.getSolarDateFromLunar(`${year}-01-01`).date));
  return days;
}

/** Every day from `first` to `last` (inclusive), with holidays and the Spring Festival worked out. */
export function buildCalendar(first: string, last: string): CalendarDay[] {
  const firstMs = dateMs(first);
  const lastMs = dateMs(last);
  const festivals = springFestivals(new Date(firstMs).getUTCFullYear() - 1, new Date(lastMs).getUTCFullYear() + 1);
  const days: CalendarDay[] = [];
  // Start a few weeks early so that a break running into the first day is seen whole.
  let offDays = 0;
  let offHoliday = false;
  let sinceBreak = 0;
  for (let ms = firstMs - 21 * DAY_MS; ms <= lastMs; ms += DAY_MS) {
    const date = isoDate(ms);
    const detail = chineseDays.getDayDetail(date);
    const weekday = new Date(ms).getUTCDay();
    const named = detail.name.includes(',');
    const holiday = !detail.work && named;
    let afterLongBreak: 0 | 1 | 2 = 0;
    if (detail.work) {
      if (offDays >= 3 && offHoliday) sinceBreak = 1;
      else if (sinceBreak === 1) sinceBreak = 2;
      else sinceBreak = 0;
      afterLongBreak = sinceBreak as 0 | 1 | 2;
      offDays = 0;
      offHoliday = false;
    } else {
      offDays++;
      offHoliday ||= holiday;
    }
    if (ms < firstMs) continue;
    const next = festivals.find((f) => f >= ms)!;
    const previous = [...festivals].reverse().find((f) => f <= ms)!;
    days.push({
      ms,
      date,
      weekday,
      dayOfYear: Math.floor((ms - Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) / DAY_MS) + 1,
      work: detail.work,
      holiday,
      springFestivalHoliday: holiday && detail.name.startsWith('Spring Festival'),
      makeUpDay: detail.work && (weekday === 0 || weekday === 6),
      afterLongBreak,
      daysToSpringFestival: Math.round((next - ms) / DAY_MS),
      daysSinceSpringFestival: Math.round((ms - previous) / DAY_MS),
    });
  }
  return days;
}

/** Overall demand of a day relative to an ordinary Wednesday-ish working day. */
export function dayDemand(day: CalendarDay): number {
  let factor: number;
  if (day.springFestivalHoliday) factor = day.daysToSpringFestival <= 1 || day.daysSinceSpringFestival === 0 ? 0.32 : 0.42;
  else if (day.holiday) factor = 0.55;
  else if (day.makeUpDay) factor = 0.95;
  else factor = WEEKDAY[day.weekday];
  // Requests held back over a long break arrive on the first working days after it.
  if (day.afterLongBreak === 1) factor *= 1.4;
  else if (day.afterLongBreak === 2) factor *= 1.15;
  return factor;
}

const bell = (x: number, centre: number, width: number) => Math.exp(-(((x - centre) / width) ** 2));

/** Xinjiang's heating season: from 15 October (day 288) to about 10 April (day 100). */
const HEATING_START = 288;

/** How much of a sub-category's base volume a day carries. */
export function seasonFactor(season: Season, day: CalendarDay): number {
  const doy = day.dayOfYear;
  switch (season) {
    case 'flat':
      return 1;
    case 'noise':
      return 0.45 + 2.9 * bell(doy, 196, 40);
    case 'heating': {
      if (doy > 100 && doy < HEATING_START) return doy >= 274 ? 0.15 : 0.04; // trial runs in early October
      const sinceStart = doy >= HEATING_START ? doy - HEATING_START : doy + 365 - HEATING_START;
      const ending = sinceStart > 150 ? 0.6 : 1;
      return ending * (0.8 + 1.2 * bell(sinceStart, 10, 12) + 1.9 * bell(sinceStart, 75, 50));
    }
    case 'heatingFee':
      return 0.3 + 2.5 * bell(doy, 290, 30);
    case 'cotton':
      return 0.25 + 4.5 * bell(doy, 285, 15);
    case 'wages': {
      if (day.springFestivalHoliday || day.daysToSpringFestival === 0) return 0.3;
      const before = day.daysToSpringFestival;
      if (before <= 42) return 1 + 3.5 * (1 - before / 42) ** 1.3;
      if (day.daysSinceSpringFestival <= 21) return 0.7;
      return 1;
    }
    case 'festivalShopping': {
      if (day.springFestivalHoliday) return 0.8;
      const before = day.daysToSpringFestival;
      return 1 + (before <= 30 ? 0.6 * (1 - before / 30) : 0) + 0.5 * bell(doy, 318, 6);
    }
    case 'summer':
      return 0.75 + 0.6 * bell(doy, 200, 50);
    case 'winter':
      return 0.8 + (0.45 * (Math.cos((2 * Math.PI * (doy - 15)) / 365) + 1)) / 2;
    case 'spring':
      return 0.8 + 0.6 * bell(doy, 110, 35);
    case 'snow':
      return doy >= 335 || doy <= 60 ? 2.2 : doy >= 305 || doy <= 90 ? 0.8 : 0.03;
    case 'irrigation':
      return 0.3 + 1.5 * bell(doy, 170, 50);
    case 'school':
      return 0.8 + 1.8 * bell(doy, 238, 12) + 0.7 * bell(doy, 55, 10);
    case 'taxSeason':
      return doy >= 60 && doy <= 181 ? 1.6 : 0.7;
    case 'insuranceDrive':
      return 0.5 + 1.8 * bell(doy, 320, 35);
  }
}
