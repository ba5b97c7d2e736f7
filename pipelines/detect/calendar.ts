import chineseDays from 'chinese-days';

/**
 * The Chinese working calendar as features of a day: weekday, official public holidays, make-up
 * working days (调休), the first working day after a break, and the days to the lunar Spring
 * Festival. Official arrangements come from `chinese-days` (published by the State Council each
 * November; the package holds 2004–2026 at the time of writing). For a year it does not know yet,
 * the fixed part of the arrangement is approximated (see `approximateHoliday`) and no make-up
 * days are assumed.
 *
 * Days are handled as integers: days since 1970-01-01, calendar dates without a time zone.
 */

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' → days since 1970-01-01. */
export function dayIndex(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** Days since 1970-01-01 → 'YYYY-MM-DD'. */
export function dayString(index: number): string {
  return new Date(index * DAY_MS).toISOString().slice(0, 10);
}

/** A real calendar date written as YYYY-MM-DD (2025-02-30 is not). */
export function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && Number.isFinite(Date.parse(`${text}T00:00:00Z`)) && dayString(dayIndex(text)) === text;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOf = (index: number) => (((index + 4) % 7) + 7) % 7;

/** Where a day stands relative to the Spring Festival (春节, lunar new year's day). */
export type FestivalPhase = 'none' | 'weeks-before' | 'fortnight-before' | 'week-before' | 'after';

export interface CalendarDay {
  index: number;
  weekday: number;
  /** No work: a weekend that is not a make-up day, or an official holiday. */
  offDay: boolean;
  /** An official public holiday day off (a weekend inside a holiday counts). */
  holiday: boolean;
  /** … and the holiday is the Spring Festival's. */
  festivalHoliday: boolean;
  /** A Saturday or Sunday that is a working day (调休). */
  makeUpWorkday: boolean;
  /** Consecutive days off just before this working day (0 on days off). */
  breakBefore: number;
  /** Days since the nearest Spring Festival (negative before it). */
  daysFromFestival: number;
  festivalPhase: FestivalPhase;
  /** Whether the year's holiday arrangement is the official one (false: approximated). */
  official: boolean;
}

const days = chineseDays as unknown as {
  getDayDetail(date: string): { work: boolean; name: string; date: string };
  getSolarDateFromLunar(lunar: string): { date: string };
  getSolarTermDate(year: number, month: number, term: string): string;
};

const festivalDays = new Map<number, number>();

/** The day index of the Spring Festival of Gregorian `year` (it falls between Jan 21 and Feb 20). */
export function springFestival(year: number): number {
  let index = festivalDays.get(year);
  if (index === undefined) {
    index = dayIndex(days.getSolarDateFromLunar(`${year}-01-01`).date);
    festivalDays.set(year, index);
  }
  return index;
}

const officialYears = new Map<number, boolean>();

/** chinese-days names official holiday days "Name,名称,n"; New Year's Day is one every year it knows. */
function knowsYear(year: number): boolean {
  let known = officialYears.get(year);
  if (known === undefined) {
    known = days.getDayDetail(`${year}-01-01`).name.includes(',');
    officialYears.set(year, known);
  }
  return known;
}

const approximations = new Map<number, Map<number, 'festival' | 'other'>>();

/**
 * The holiday days of a year the package does not know: New Year's Day, the Spring Festival from
 * its eve for 8 days, Qingming, Labour Day May 1–5, Dragon Boat and Mid-Autumn festivals and
 * National Day Oct 1–7 — the pattern of recent years, without the make-up days.
 */
function approximateHoliday(index: number, year: number): 'festival' | 'other' | null {
  let table = approximations.get(year);
  if (!table) {
    table = new Map();
    const add = (from: number, length: number, kind: 'festival' | 'other') => {
      for (let i = 0; i < length; i++) table!.set(from + i, kind);
    };
    add(dayIndex(`${year}-01-01`), 1, 'other');
    add(springFestival(year) - 1, 8, 'festival');
    add(dayIndex(days.getSolarTermDate(year, 4, 'pure_brightness')), 1, 'other');
    add(dayIndex(`${year}-05-01`), 5, 'other');
    add(dayIndex(days.getSolarDateFromLunar(`${year}-05-05`).date), 1, 'other');
    add(dayIndex(days.getSolarDateFromLunar(`${year}-08-15`).date), 1, 'other');
    add(dayIndex(`${year}-10-01`), 7, 'other');
    approximations.set(year, table);
  }
  return table.get(index) ?? null;
}

interface DayOff {
  off: boolean;
  holiday: boolean;
  festival: boolean;
  makeUp: boolean;
  official: boolean;
}

function dayOff(index: number): DayOff {
  const date = dayString(index);
  const year = Number(date.slice(0, 4));
  const weekday = weekdayOf(index);
  const weekend = weekday === 0 || weekday === 6;
  if (knowsYear(year)) {
    const detail = days.getDayDetail(date);
    const named = detail.name.includes(','); // an arranged day, off or (调休) on
    const festival = detail.name.startsWith('Spring Festival');
    if (!detail.work) return { off: true, holiday: named, festival: named && festival, makeUp: false, official: true };
    return { off: false, holiday: false, festival: false, makeUp: weekend && named, official: true };
  }
  const kind = approximateHoliday(index, year);
  if (kind) return { off: true, holiday: true, festival: kind === 'festival', makeUp: false, official: false };
  return { off: weekend, holiday: false, festival: false, makeUp: false, official: false };
}

function festivalPhaseOf(daysFromFestival: number): FestivalPhase {
  const d = daysFromFestival;
  if (d >= -42 && d <= -22) return 'weeks-before';
  if (d >= -21 && d <= -8) return 'fortnight-before';
  if (d >= -7 && d <= -1) return 'week-before';
  if (d >= 7 && d <= 20) return 'after';
  return 'none';
}

const cache = new Map<number, CalendarDay>();

export function calendarDay(index: number): CalendarDay {
  const cached = cache.get(index);
  if (cached) return cached;
  const off = dayOff(index);
  let breakBefore = 0;
  if (!off.off) while (breakBefore < 15 && dayOff(index - breakBefore - 1).off) breakBefore++;
  const year = Number(dayString(index).slice(0, 4));
  let daysFromFestival = index - springFestival(year);
  // The nearest festival: late in the year, next year's is closer.
  const next = index - springFestival(year + 1);
  if (Math.abs(next) < Math.abs(daysFromFestival)) daysFromFestival = next;
  const day: CalendarDay = {
    index,
    weekday: weekdayOf(index),
    offDay: off.off,
    holiday: off.holiday,
    festivalHoliday: off.festival,
    makeUpWorkday: off.makeUp,
    breakBefore,
    daysFromFestival,
    festivalPhase: festivalPhaseOf(daysFromFestival),
    official: off.official,
  };
  cache.set(index, day);
  return day;
}
