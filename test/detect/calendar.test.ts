import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { calendarDay, dayIndex, dayString, isIsoDate, springFestival } from '../../pipelines/detect/calendar.js';

const day = (date: string) => calendarDay(dayIndex(date));

describe('calendar features', () => {
  it('knows the 2025 Spring Festival holiday, Jan 28 – Feb 4, and its make-up days Jan 26 and Feb 8', () => {
    const holiday = ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'];
    for (const date of holiday) expect(day(date)).toMatchObject({ offDay: true, holiday: true, festivalHoliday: true, official: true });
    expect(day('2025-01-27')).toMatchObject({ offDay: false, holiday: false });
    expect(day('2025-02-05')).toMatchObject({ offDay: false, holiday: false, breakBefore: 8 });
    // Sunday Jan 26 and Saturday Feb 8 were working days (调休)
    expect(day('2025-01-26')).toMatchObject({ weekday: 0, offDay: false, makeUpWorkday: true });
    expect(day('2025-02-08')).toMatchObject({ weekday: 6, offDay: false, makeUpWorkday: true });
    // an ordinary Saturday is off but no holiday
    expect(day('2025-03-08')).toMatchObject({ weekday: 6, offDay: true, holiday: false, makeUpWorkday: false, breakBefore: 0 });
  });

  it('agrees with chinese-days on every day of 2024–2025', () => {
    for (let i = dayIndex('2024-01-01'); i <= dayIndex('2025-12-31'); i++) {
      expect(calendarDay(i).offDay).toBe(!chineseDays.isWorkday(dayString(i)));
    }
  });

  it('places the Spring Festival on lunar new year, 2018–2030', () => {
    const known = ['2018-02-16', '2019-02-05', '2020-01-25', '2021-02-12', '2022-02-01', '2023-01-22', '2024-02-10', '2025-01-29', '2026-02-17', '2027-02-06', '2028-01-26', '2029-02-13', '2030-02-03'];
    known.forEach((date, k) => expect(dayString(springFestival(2018 + k))).toBe(date));
  });

  it('counts the days to the festival and its phases', () => {
    expect(day('2025-01-28')).toMatchObject({ daysFromFestival: -1, festivalPhase: 'week-before' });
    expect(day('2025-01-10')).toMatchObject({ daysFromFestival: -19, festivalPhase: 'fortnight-before' });
    expect(day('2024-12-20')).toMatchObject({ daysFromFestival: -40, festivalPhase: 'weeks-before' });
    expect(day('2025-02-10')).toMatchObject({ daysFromFestival: 12, festivalPhase: 'after' });
    expect(day('2025-07-01')).toMatchObject({ festivalPhase: 'none' });
  });

  it('marks the first working day after National Day 2025 (Oct 1–8) and after a 3-day weekend', () => {
    expect(day('2025-10-09')).toMatchObject({ offDay: false, breakBefore: 8 });
    expect(day('2025-10-11')).toMatchObject({ makeUpWorkday: true });
    expect(day('2024-06-11')).toMatchObject({ breakBefore: 3 }); // Dragon Boat, Mon Jun 10
  });

  it('approximates years the package does not know yet', () => {
    // 2027's arrangement is not published in the installed chinese-days: the festival eve + 7 days
    const eve = dayString(springFestival(2027) - 1);
    expect(day(eve)).toMatchObject({ festivalHoliday: true, official: false });
    expect(day('2027-10-03')).toMatchObject({ holiday: true, official: false });
  });

  it('validates ISO dates', () => {
    expect(isIsoDate('2025-02-28')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-2-28')).toBe(false);
  });
});
