/**
 * POSIX TZ rule strings ("CET-01CEST-02,M3.5.0,M10.5.0", "EST5EDT,M3.2.0/2,M11.1.0", "<+0330>-3:30")
 * read and evaluated the way glibc does: Node's ICU ignores such strings (it treats them as UTC),
 * but Python's time.mktime/localtime, and so fail2ban, follow them.
 *
 * Offsets are stored as seconds EAST of UTC; the string writes them west-positive ("CET-01" = +1 h).
 */
import { civilFromDays, daysFromCivil, isLeapYear, SECONDS_PER_DAY, type CivilDate } from './civil.js';

const enum RuleKind { ZeroBasedDay, JulianDay, MonthWeekDay }

/** One change of the year: into DST (rule 0) or back to standard time (rule 1). */
interface ChangeRule {
  kind: RuleKind;
  month: number;
  week: number;
  day: number;
  /** Local time of day of the change, seconds (may be negative or beyond 24 h). */
  secs: number;
  /** Offset in effect before the change, seconds east (std for rule 0, dst for rule 1). */
  offset: number;
  computedFor: number;
  change: number;
}

export interface PosixRules {
  readonly stdName: string;
  readonly dstName: string;
  /** False when the string has no DST part: the standard offset applies all year. */
  readonly hasDst: boolean;
  readonly std: ChangeRule;
  readonly dst: ChangeRule;
}

function newRule(): ChangeRule {
  // Like glibc's zeroed rule: "day 0 of the year at 00:00", which is what a malformed rule becomes.
  return { kind: RuleKind.ZeroBasedDay, month: 0, week: 0, day: 0, secs: 0, offset: 0, computedFor: NaN, change: 0 };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A tiny cursor over the TZ string (sscanf-like number reading). */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get c(): number { return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : 0; }
  at(i: number): number { return i < this.s.length ? this.s.charCodeAt(i) : 0; }
  /** Unsigned decimal at `i` (like %hu, which wraps at 65536); returns [value, end] or null. */
  number(i: number): [number, number] | null {
    // sscanf skips leading white space before a number.
    while (this.at(i) === 32 || (this.at(i) >= 9 && this.at(i) <= 13)) i++;
    let sign = 1;
    if (this.at(i) === 43 || this.at(i) === 45) { if (this.at(i) === 45) sign = -1; i++; }
    if (!isDigit(this.at(i))) return null;
    let v = 0;
    while (isDigit(this.at(i))) { v = (v * 10 + this.at(i) - 48) % 65536; i++; }
    return [(sign * v + 65536) % 65536, i];
  }
  /** "hh[:mm[:ss]]" as sscanf("%hu%n:%hu%n:%hu%n") reads it; consumed = up to the last full field. */
  hms(): { count: number; h: number; m: number; s: number; end: number } {
    const out = { count: 0, h: 0, m: 0, s: 0, end: this.pos };
    const a = this.number(this.pos);
    if (a === null) return out;
    out.count = 1; out.h = a[0]; out.end = a[1];
    if (this.at(a[1]) !== 58 /* : */) return out;
    const b = this.number(a[1] + 1);
    if (b === null) return out;
    out.count = 2; out.m = b[0]; out.end = b[1];
    if (this.at(b[1]) !== 58) return out;
    const c = this.number(b[1] + 1);
    if (c === null) return out;
    out.count = 3; out.s = c[0]; out.end = c[1];
    return out;
  }
}

function parseName(cur: Cursor): string | null {
  const start = cur.pos;
  let p = start;
  while (isAlpha(cur.at(p))) p++;
  if (p - start >= 3) { cur.pos = p; return cur.s.slice(start, p); }
  if (cur.at(start) !== 60 /* < */) return null;
  p = start + 1;
  while (isAlpha(cur.at(p)) || isDigit(cur.at(p)) || cur.at(p) === 43 || cur.at(p) === 45) p++;
  if (cur.at(p) !== 62 /* > */ || p - (start + 1) < 3) return null;
  cur.pos = p + 1;
  return cur.s.slice(start + 1, p);
}

/** Offset "[+-]hh[:mm[:ss]]" (west positive) → seconds east, or null if nothing could be read. */
function parseOffset(cur: Cursor, required: boolean): number | null {
  const c = cur.c;
  if (required && (c === 0 || (c !== 43 && c !== 45 && !isDigit(c)))) return null;
  let sign = -1;
  if (c === 43 || c === 45) { sign = c === 45 ? 1 : -1; cur.pos++; }
  const t = cur.hms();
  if (t.count === 0) return null;
  cur.pos = t.end;
  return sign * (Math.min(t.s, 59) + Math.min(t.m, 59) * 60 + Math.min(t.h, 24) * 3600);
}

function parseRule(cur: Cursor, r: ChangeRule, isStart: boolean): boolean {
  if (cur.c === 44 /* , */) cur.pos++;
  const c = cur.c;
  if (c === 74 /* J */ || isDigit(c)) {
    r.kind = c === 74 ? RuleKind.JulianDay : RuleKind.ZeroBasedDay;
    if (c === 74) { cur.pos++; if (!isDigit(cur.c)) return false; }
    let p = cur.pos;
    let d = 0;
    while (isDigit(cur.at(p))) { d = Math.min(d * 10 + cur.at(p) - 48, 1e9); p++; }
    if (p === cur.pos || d > 365) return false;
    if (r.kind === RuleKind.JulianDay && d === 0) return false;
    r.day = d;
    cur.pos = p;
  } else if (c === 77 /* M */) {
    r.kind = RuleKind.MonthWeekDay;
    const m = cur.number(cur.pos + 1);
    if (m === null || cur.at(m[1]) !== 46) return false;
    const w = cur.number(m[1] + 1);
    if (w === null || cur.at(w[1]) !== 46) return false;
    const d = cur.number(w[1] + 1);
    if (d === null) return false;
    r.month = m[0]; r.week = w[0]; r.day = d[0];
    if (r.month < 1 || r.month > 12 || r.week < 1 || r.week > 5 || r.day > 6) return false;
    cur.pos = d[1];
  } else if (c === 0) {
    // No rule at all: glibc falls back to the current US rules (M3.2.0, M11.1.0).
    r.kind = RuleKind.MonthWeekDay;
    r.month = isStart ? 3 : 11; r.week = isStart ? 2 : 1; r.day = 0;
  } else {
    return false;
  }
  const after = cur.c;
  if (after !== 0 && after !== 47 /* / */ && after !== 44 /* , */) return false;
  if (after === 47) {
    cur.pos++;
    if (cur.c === 0) return false;
    const negative = cur.c === 45;
    if (negative) cur.pos++;
    const t = cur.hms();
    const h = t.count >= 1 ? t.h : 2;
    cur.pos = t.end;
    r.secs = (negative ? -1 : 1) * (h * 3600 + t.m * 60 + t.s);
  } else {
    r.secs = 2 * 3600;
  }
  r.computedFor = NaN;
  return true;
}

/**
 * Parse a POSIX TZ string. Returns null when not even a standard name and offset can be read
 * (glibc then uses UTC). DST without rules uses M3.2.0,M11.1.0 (glibc would first try the
 * "posixrules" zone file).
 */
export function parsePosixTz(tz: string): PosixRules | null {
  const cur = new Cursor(tz);
  const std = newRule();
  const dst = newRule();
  const stdName = parseName(cur);
  if (stdName === null) return null;
  const stdOffset = parseOffset(cur, true);
  if (stdOffset === null) return null;
  std.offset = stdOffset;
  if (cur.c === 0) {
    dst.offset = stdOffset;
    return { stdName, dstName: stdName, hasDst: false, std, dst };
  }
  const dstName = parseName(cur);
  if (dstName !== null) {
    const o = parseOffset(cur, false);
    dst.offset = o ?? stdOffset + 3600;
  }
  if (parseRule(cur, std, true)) parseRule(cur, dst, false);
  return { stdName, dstName: dstName ?? '', hasDst: true, std, dst };
}

// Cumulative days before each month (index 0..12), for common and leap years.
const MONTH_START = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
] as const;

/** Instant (epoch seconds) of the change `r` in `year`, cached per year as glibc does. */
function changeOf(r: ChangeRule, year: number): number {
  if (r.computedFor === year) return r.change;
  // Midnight UTC of January 1st; glibc starts from the epoch for years up to 1970.
  let t = 0;
  if (year > 1970) {
    const y1 = year - 1;
    t = ((year - 1970) * 365 + (Math.trunc(y1 / 4) - 492) - (Math.trunc(y1 / 100) - 19)
      + (Math.trunc(y1 / 400) - 4)) * SECONDS_PER_DAY;
  }
  const leap = isLeapYear(year) ? 1 : 0;
  if (r.kind === RuleKind.JulianDay) {
    t += (r.day - 1) * SECONDS_PER_DAY;
    if (r.day >= 60 && leap) t += SECONDS_PER_DAY;
  } else if (r.kind === RuleKind.ZeroBasedDay) {
    t += r.day * SECONDS_PER_DAY;
  } else {
    const starts = MONTH_START[leap];
    t += starts[r.month - 1]! * SECONDS_PER_DAY;
    // Zeller's congruence: weekday of the 1st of the month (0 = Sunday), C integer semantics.
    const m1 = ((r.month + 9) % 12) + 1;
    const yy0 = r.month <= 2 ? year - 1 : year;
    const yy1 = Math.trunc(yy0 / 100);
    const yy2 = yy0 % 100;
    let dow = (Math.trunc((26 * m1 - 2) / 10) + 1 + yy2 + Math.trunc(yy2 / 4) + Math.trunc(yy1 / 4) - 2 * yy1) % 7;
    if (dow < 0) dow += 7;
    let d = r.day - dow;
    if (d < 0) d += 7;
    const monthLength = starts[r.month]! - starts[r.month - 1]!;
    for (let i = 1; i < r.week; i++) {
      if (d + 7 >= monthLength) break;
      d += 7;
    }
    t += d * SECONDS_PER_DAY;
  }
  r.change = t - r.offset + r.secs;
  r.computedFor = year;
  return r.change;
}

const scratch: CivilDate = { year: 0, month: 0, day: 0 };

/** Whether DST is in effect, and the span of instants [from, to) around t with the same answer. */
export interface Span {
  dst: boolean;
  from: number;
  to: number;
}

/**
 * Whether DST is in effect at instant `t` (whole epoch seconds), and the span around t with the
 * same answer (within t's UTC year, whose rules glibc applies).
 */
export function posixSpan(rules: PosixRules, t: number, out: Span): Span {
  if (!rules.hasDst) {
    out.dst = false; out.from = -Infinity; out.to = Infinity;
    return out;
  }
  const year = civilFromDays(Math.floor(t / SECONDS_PER_DAY), scratch).year;
  let from = daysFromCivil(year, 1, 1) * SECONDS_PER_DAY;
  let to = daysFromCivil(year + 1, 1, 1) * SECONDS_PER_DAY;
  const start = changeOf(rules.std, year);
  const end = changeOf(rules.dst, year);
  out.dst = start > end ? t < end || t >= start : t >= start && t < end;
  for (const c of [start, end]) {
    if (c <= t && c > from) from = c;
    if (c > t && c < to) to = c;
  }
  out.from = from;
  out.to = to;
  return out;
}
