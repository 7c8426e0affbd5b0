/**
 * Matched date fields → epoch seconds, with fail2ban's inference rules (its reGroupDictStrptime):
 * a missing year is this year (last year if that lands more than a day ahead), a missing date is
 * today (yesterday if ahead), %y means 20yy, %I follows %p, %f is dropped, zones are fixed offsets,
 * and dates without any zone are server local time (C mktime).
 *
 * Results: a number; null where fail2ban's parser reports "no valid date" (the line is still
 * searched for failures); undefined where fail2ban's parser raises and the line is dropped.
 */
import { groupValue } from '../pyregex/index.js';
import {
  civilFromDays, daysFromCivil, daysInMonth, MAX_WALL, MIN_WALL, SECONDS_PER_DAY, weekdayOfDays,
  type CivilDate,
} from './civil.js';
import { Field, type CompiledVariant } from './compile.js';
import { pyFloat, pyInt } from './digits.js';
import type { LocalZone } from './localZone.js';
import { readZone, ZONE_SYNTAX, ZONE_UNKNOWN } from './timezone.js';

const MONTH_ABBR = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_FULL = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
  'september', 'october', 'november', 'december'];
const DAY_ABBR = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_FULL = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);

const scratch: CivilDate = { year: 0, month: 0, day: 0 };

let lastNow = NaN;
let lastNowZone: LocalZone | null = null;
let lastNowWall = 0;

/**
 * Wall-clock seconds of `now` the way Python's datetime.fromtimestamp() sees it: local time,
 * fraction rounded half-to-even to microseconds. (Cached: consecutive lines share their "now".)
 */
function nowWall(now: number, zone: LocalZone): number {
  if (now === lastNow && zone === lastNowZone) return lastNowWall;
  lastNow = now;
  lastNowZone = zone;
  lastNowWall = computeNowWall(now, zone);
  return lastNowWall;
}

function computeNowWall(now: number, zone: LocalZone): number {
  let whole = Math.floor(now);
  let us = (now - whole) * 1e6;
  let r = Math.round(us);
  if (Math.abs(us - Math.trunc(us)) === 0.5) r = 2 * Math.round(us / 2);
  us = r;
  if (us >= 1e6) { us -= 1e6; whole += 1; }
  return zone.toWall(whole) + us / 1e6;
}

/** Day of the year from week number and weekday (Python's %U / %W computation). */
function julianFromWeek(year: number, week: number, weekday: number, weekStartsMonday: boolean): number {
  let first = weekdayOfDays(daysFromCivil(year, 1, 1));
  let dow = weekday;
  if (!weekStartsMonday) {
    first = (first + 1) % 7;
    dow = (dow + 1) % 7;
  }
  if (week === 0) return 1 + dow - first;
  return 1 + ((7 - first) % 7) + 7 * (week - 1) + dow;
}

/** 1..12 for "jan".."dec" in any case (Python's lower() then a lookup), 0 if not a month. */
function monthOfAbbreviation(v: string): number {
  if (v.length === 3) {
    const a = v.charCodeAt(0) | 32;
    const b = v.charCodeAt(1) | 32;
    const c = v.charCodeAt(2) | 32;
    // Plain ASCII letters only; anything else takes the general path below.
    if (a >= 97 && a <= 122 && b >= 97 && b <= 122 && c >= 97 && c <= 122) {
      switch ((a << 16) | (b << 8) | c) {
        case 0x6a616e: return 1; case 0x666562: return 2; case 0x6d6172: return 3; case 0x617072: return 4;
        case 0x6d6179: return 5; case 0x6a756e: return 6; case 0x6a756c: return 7; case 0x617567: return 8;
        case 0x736570: return 9; case 0x6f6374: return 10; case 0x6e6f76: return 11; case 0x646563: return 12;
        default: return 0;
      }
    }
  }
  return MONTH_ABBR.indexOf(v.toLowerCase()) + 1;
}

/**
 * The fields of one date as the parser sees them (NaN / -1 / null: not in the date). Recognizers
 * and captures carry one; the regex path reads into a scratch one.
 */
export class DateFields {
  year = NaN;
  month = NaN;
  day = NaN;
  hour = 0;
  minute = 0;
  second = 0;
  /** Minutes east of UTC written in the date, null when it names no zone. */
  zone: number | null = null;
  weekday = -1;
  julian = NaN;
  week = NaN;
  weekStartsMonday = false;
}

/** The fields of a match, read into `out` in Python group order; null / undefined as patternTime. */
export function readFields(m: RegExpExecArray, ct: CompiledVariant, out: DateFields): DateFields | null | undefined {
  let year = NaN;
  let month = NaN;
  let day = NaN;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let zoneMinutes: number | null = null;
  let weekday = -1;
  let julian = NaN;
  let week = NaN;
  let weekStartsMonday = false;
  const fields = ct.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const caps = f.captures;
    const v = caps.length === 1 ? m[caps[0]!] : groupValue(m, caps);
    if (v === undefined) continue;
    switch (f.field) {
      case Field.y: {
        const y = pyInt(v);
        year = y <= 2000 ? y + 2000 : y;
        break;
      }
      case Field.Y: year = pyInt(v); break;
      case Field.m: month = pyInt(v); break;
      case Field.B: month = MONTH_FULL.indexOf(v.toLowerCase()) + 1; if (month === 0) return null; break;
      case Field.b: month = monthOfAbbreviation(v); if (month === 0) return null; break;
      case Field.d: day = pyInt(v); break;
      case Field.H: hour = pyInt(v); break;
      case Field.I: {
        hour = pyInt(v);
        let ampm = '';
        if (ct.ampm !== null) {
          const p = groupValue(m, ct.ampm);
          // An AM/PM group that exists but did not match crashes fail2ban's parser.
          if (p === undefined) return undefined;
          ampm = p.toLowerCase();
        }
        if (ampm === '' || ampm === 'am') { if (hour === 12) hour = 0; }
        else if (ampm === 'pm' && hour !== 12) hour += 12;
        break;
      }
      case Field.M: minute = pyInt(v); break;
      case Field.S: second = pyInt(v); break;
      case Field.A: weekday = DAY_FULL.indexOf(v.toLowerCase()); if (weekday < 0) return null; break;
      case Field.a: weekday = DAY_ABBR.indexOf(v.toLowerCase()); if (weekday < 0) return null; break;
      case Field.w: weekday = pyInt(v) - 1; if (weekday < 0) weekday = 6; break;
      case Field.j: julian = pyInt(v); break;
      case Field.U: week = pyInt(v); weekStartsMonday = false; break;
      case Field.W: week = pyInt(v); weekStartsMonday = true; break;
      case Field.z:
      case Field.Z: {
        const z = readZone(v);
        if (z === ZONE_SYNTAX) return null;
        if (z === ZONE_UNKNOWN) return undefined;
        zoneMinutes = z;
        break;
      }
    }
  }
  out.year = year;
  out.month = month;
  out.day = day;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  out.zone = zoneMinutes;
  out.weekday = weekday;
  out.julian = julian;
  out.week = week;
  out.weekStartsMonday = weekStartsMonday;
  return out;
}

/** Epoch seconds of a date's fields with fail2ban's inference rules; null / undefined as patternTime. */
export function fieldsTime(f: DateFields, now: number, zone: LocalZone, defaultTz: number | null): number | null | undefined {
  let year = f.year;
  let month = f.month;
  let day = f.day;
  const hour = f.hour;
  const minute = f.minute;
  const second = f.second;
  let zoneMinutes = f.zone;
  const weekday = f.weekday;
  let julian = f.julian;
  const week = f.week;
  let nowW = NaN;
  let assumeYear = false;
  if (Number.isNaN(year)) {
    nowW = nowWall(now, zone);
    year = civilFromDays(Math.floor(nowW / SECONDS_PER_DAY), scratch).year;
    assumeYear = true;
  }
  if (Number.isNaN(month) || Number.isNaN(day)) {
    if (Number.isNaN(julian) && !Number.isNaN(week) && weekday >= 0) {
      if (year < 1 || year > 9999) return null;
      julian = julianFromWeek(year, week, weekday, f.weekStartsMonday);
    }
    if (!Number.isNaN(julian)) {
      if (year < 1 || year > 9999) return null;
      const days = julian - 1 + daysFromCivil(year, 1, 1);
      if (days < MIN_DAY || days > MAX_DAY) return null;
      civilFromDays(days, scratch);
      year = scratch.year;
      month = scratch.month;
      day = scratch.day;
    }
  }
  let assumeToday = false;
  if (Number.isNaN(month) && Number.isNaN(day)) {
    if (Number.isNaN(nowW)) nowW = nowWall(now, zone);
    civilFromDays(Math.floor(nowW / SECONDS_PER_DAY), scratch);
    month = scratch.month;
    day = scratch.day;
    assumeToday = true;
  }
  // A month without a day (or the reverse) makes fail2ban's datetime() call raise a TypeError.
  if (Number.isNaN(month) || Number.isNaN(day)) return undefined;
  if (zoneMinutes === null) zoneMinutes = defaultTz;
  const w = wallOf(year, month, day, hour, minute, second, zoneMinutes);
  if (w === null || w === undefined) return w;
  let wall = w;
  if (assumeToday) {
    if (Number.isNaN(nowW)) nowW = nowWall(now, zone);
    if (wall > nowW) {
      wall -= SECONDS_PER_DAY;
      if (wall < MIN_WALL) return undefined;
    }
  }
  if (assumeYear) {
    if (Number.isNaN(nowW)) nowW = nowWall(now, zone);
    if (wall > nowW + SECONDS_PER_DAY) {
      const prev = previousYearWall(wall, year, month, day);
      if (prev === null) return null;
      wall = prev;
    }
  }
  if (zoneMinutes !== null) return wall;
  const t = zone.fromWall(wall);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Wall seconds of a complete date, shifted to UTC by `zoneMinutes` when given; null for an
 * impossible date, undefined when the zone shift leaves Python's datetime range.
 */
function wallOf(year: number, month: number, day: number, hour: number, minute: number, second: number,
  zoneMinutes: number | null): number | null | undefined {
  return wallOfDay(dayNumber(year, month, day), hour, minute, second, zoneMinutes);
}

/** Days from 1970-01-01 to a date of Python's datetime range, NaN for an impossible date. */
function dayNumber(year: number, month: number, day: number): number {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day);
}

/** wallOf() with the date as a day number (NaN: impossible). */
function wallOfDay(days: number, hour: number, minute: number, second: number,
  zoneMinutes: number | null): number | null | undefined {
  if (Number.isNaN(days) || hour > 23 || minute > 59 || second > 59) return null;
  let wall = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  if (zoneMinutes !== null) {
    wall -= zoneMinutes * 60;
    if (wall < MIN_WALL || wall > MAX_WALL) return undefined;
  }
  return wall;
}

/** The previous year with the month and day as written, keeping the (zone-shifted) time of day. */
function previousYearWall(wall: number, year: number, month: number, day: number): number | null {
  const timeOfDay = wall - Math.floor(wall / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const y = year - 1;
  if (y < 1 || day > daysInMonth(y, month)) return null;
  return daysFromCivil(y, month, day) * SECONDS_PER_DAY + timeOfDay;
}

/**
 * fieldsTime() that remembers its last date: consecutive lines very often carry the same date,
 * and the calendar arithmetic (above all finding the year of "now" for a date without one) costs
 * more than the rest of a line's date handling. One per detector (its zone and logtimezone are
 * fixed).
 *
 * What a result depends on besides the fields: for a date without a year, the year of "now" (kept
 * as the range of day numbers it covers, tested exactly as fieldsTime computes it) and whether
 * the date is more than a day ahead of "now" (tested each time, as in fieldsTime); and the local
 * zone's conversion, which is not remembered (C mktime keeps state between calls: it is called
 * each time, as fieldsTime does).
 */
export class TimeCache {
  private valid = false;
  private year = NaN;
  private month = NaN;
  private day = NaN;
  private hour = NaN;
  private minute = NaN;
  private second = NaN;
  private zone: number | null = null;
  /** The year of "now" for dates without one, from the day number of "now" (`today`). */
  private today = NaN;
  private todayYear = NaN;
  private firstDay = 0;
  private endDay = 0;
  /** The day number of the last date (NaN: impossible), from its year, month and day. */
  private dYear = NaN;
  private dMonth = NaN;
  private dDay = NaN;
  private days = NaN;
  /** The year the date was placed in (its own or the inferred one). */
  private placedYear = NaN;
  /** Outcome in that year, before the local-zone conversion. */
  private wall: number | null | undefined = null;
  /** The date's own zone, else logtimezone: the wall time is then already UTC. */
  private zoneMinutes: number | null = null;

  constructor(private readonly localZone: LocalZone, private readonly defaultTz: number | null) {}

  time(f: DateFields, now: number): number | null | undefined {
    // Dates without month and day take the general path (day of the year, week, today).
    if (Number.isNaN(f.month) || Number.isNaN(f.day)) return fieldsTime(f, now, this.localZone, this.defaultTz);
    const assumeYear = Number.isNaN(f.year);
    const same = this.valid && f.second === this.second && f.minute === this.minute && f.hour === this.hour
      && f.day === this.day && f.month === this.month && f.zone === this.zone
      && (assumeYear ? Number.isNaN(this.year) : f.year === this.year);
    let nowW = NaN;
    if (assumeYear) {
      nowW = nowWall(now, this.localZone);
      const today = Math.floor(nowW / SECONDS_PER_DAY);
      if (!same || today < this.firstDay || today >= this.endDay) this.fill(f, today);
    } else if (!same) {
      this.fill(f, NaN);
    }
    let wall = this.wall;
    if (wall === null || wall === undefined) return wall;
    if (assumeYear && wall > nowW + SECONDS_PER_DAY) {
      const prev = previousYearWall(wall, this.placedYear, f.month, f.day);
      if (prev === null) return null;
      wall = prev;
    }
    if (this.zoneMinutes !== null) return wall;
    const t = this.localZone.fromWall(wall);
    return Number.isNaN(t) ? undefined : t;
  }

  /** Work out a new date; `today` (day number of "now") gives the year when the date has none. */
  private fill(f: DateFields, today: number): void {
    this.valid = true;
    this.year = f.year;
    this.month = f.month;
    this.day = f.day;
    this.hour = f.hour;
    this.minute = f.minute;
    this.second = f.second;
    this.zone = f.zone;
    let year = f.year;
    if (Number.isNaN(year)) {
      if (today !== this.today) {
        this.today = today;
        this.todayYear = civilFromDays(today, scratch).year;
        this.firstDay = daysFromCivil(this.todayYear, 1, 1);
        this.endDay = daysFromCivil(this.todayYear + 1, 1, 1);
      }
      year = this.todayYear;
    }
    // Consecutive dates mostly differ in the time of day only.
    if (year !== this.dYear || f.month !== this.dMonth || f.day !== this.dDay) {
      this.dYear = year;
      this.dMonth = f.month;
      this.dDay = f.day;
      this.days = dayNumber(year, f.month, f.day);
    }
    this.placedYear = year;
    this.zoneMinutes = f.zone ?? this.defaultTz;
    this.wall = wallOfDay(this.days, f.hour, f.minute, f.second, this.zoneMinutes);
  }
}

/** Code points in a string (Python's len). */
function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

/** Epoch seconds of an Epoch / LongEpoch match (fractions kept). */
export function epochTime(m: RegExpExecArray, ct: CompiledVariant, longEpoch: boolean): number | undefined {
  const v = groupValue(m, ct.value);
  if (v === undefined) return undefined;
  if (longEpoch) {
    const len = pyLen(v);
    if (len >= 13) return len >= 16 && !v.includes('.') ? pyFloat(v) / 1000000 : pyFloat(v) / 1000;
  }
  return pyFloat(v);
}

/** Epoch seconds of a TAI64N label: the 15 hex digits after "@4" (no leap-second correction). */
export function tai64nTime(m: RegExpExecArray, ct: CompiledVariant): number | undefined {
  const v = groupValue(m, ct.value);
  if (v === undefined) return undefined;
  const hex = v.slice(2, 17);
  if (!/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return Number(BigInt('0x' + hex));
}
