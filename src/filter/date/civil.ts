/**
 * Proleptic Gregorian calendar arithmetic on "wall seconds": seconds since 1970-01-01 00:00:00
 * of a clock that has no zone (what Python calls a naive datetime). Integer-only, no Date objects,
 * so it is exact for every year Python's datetime accepts (1..9999) and beyond.
 */

export const SECONDS_PER_DAY = 86400;

/** Days from 1970-01-01 to year-month-day (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Count from March so the leap day is the last day of the shifted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Fields of a day number; written into `out` to avoid allocation on the per-line path. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilFromDays(days: number, out: CivilDate): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524)
    - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  out.day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  out.month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  out.year = yearOfEra + era * 400 + (out.month <= 2 ? 1 : 0);
  return out;
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Day of the week, Monday = 0 … Sunday = 6 (Python's weekday()). */
export function weekdayOfDays(days: number): number {
  // 1970-01-01 was a Thursday (3).
  return (((days + 3) % 7) + 7) % 7;
}

/** Python datetime's valid range: year 1 … 9999. */
export const MIN_WALL = daysFromCivil(1, 1, 1) * SECONDS_PER_DAY;
export const MAX_WALL = (daysFromCivil(9999, 12, 31) + 1) * SECONDS_PER_DAY - 1;
