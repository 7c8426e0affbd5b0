/**
 * "Server local time": the zone of dates that carry no offset when no `logtimezone` is set.
 * fail2ban converts such dates with Python's time.mktime, i.e. the C library's mktime under the
 * process's TZ. We reproduce that: TZ unset → /etc/localtime; a zone name → the compiled zone file;
 * otherwise a POSIX rule string; and mktime's way of resolving skipped and repeated wall-clock
 * times, including its memory of the offset found by the previous call.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { daysFromCivil, SECONDS_PER_DAY } from './civil.js';
import { parsePosixTz, posixSpan, type PosixRules, type Span } from './posixTz.js';
import { parseTzif, tzifOffset, type TzifData } from './tzif.js';

export interface LocalZone {
  /** What the zone was made from (the TZ value, a file, "UTC"). */
  readonly name: string;
  /** Seconds east of UTC in effect at instant `t` (epoch seconds). */
  offsetAt(t: number): number;
  /** Wall-clock seconds (seconds since 1970-01-01 00:00 of a zone-less clock) at instant `t`. */
  toWall(t: number): number;
  /**
   * Instant of a wall-clock time, as C mktime() with tm_isdst = -1 computes it: a time skipped by
   * a forward change resolves by the offset before the change (preferring the DST reading), a
   * repeated time resolves to the offset the previous call found. NaN where mktime fails.
   */
  fromWall(wall: number): number;
}

/** Shared mktime logic over a zone's offset function. */
abstract class ProbedZone implements LocalZone {
  /** DST flag of the last probe. */
  protected dst = false;
  /** mktime's guess for the next call: instant minus wall time of the last result. */
  private guess = 0;
  // The offset is constant on [from, to): consecutive log lines rarely leave that span.
  private from = 0;
  private to = 0;
  private offset = 0;
  private spanDst = false;
  /** Span of the last lookup(), set by the subclass. */
  protected validFrom = -Infinity;
  protected validTo = Infinity;

  constructor(readonly name: string) {}

  /** Offset (seconds east) at whole-second instant t; sets `this.dst`, `validFrom`, `validTo`. */
  protected abstract lookup(t: number): number;

  private probe(t: number): number {
    if (t >= this.from && t < this.to) {
      this.dst = this.spanDst;
      return this.offset;
    }
    this.validFrom = -Infinity;
    this.validTo = Infinity;
    this.offset = this.lookup(t);
    this.spanDst = this.dst;
    this.from = this.validFrom;
    this.to = this.validTo;
    return this.offset;
  }

  offsetAt(t: number): number {
    return this.probe(Math.floor(t));
  }

  toWall(t: number): number {
    const whole = Math.floor(t);
    return whole + this.probe(whole) + (t - whole);
  }

  fromWall(wall: number): number {
    // Successive approximation from the last offset, detecting the oscillation that a skipped
    // wall time causes (the two candidate instants alternate).
    let t = wall + this.guess;
    let t1 = t;
    let t2 = t;
    let prevDst = false;
    for (let probes = 6; ; ) {
      const diff = wall - (t + this.probe(t));
      if (diff === 0) break;
      if (t === t1 && t !== t2 && (prevDst ? 1 : 0) <= (this.dst ? 1 : 0)) break;
      if (--probes === 0) return NaN;
      t1 = t2;
      t2 = t;
      t += diff;
      prevDst = this.dst;
    }
    this.guess = t - wall;
    return t;
  }
}

class FixedZone extends ProbedZone {
  constructor(name: string, private readonly fixed: number) { super(name); }
  protected lookup(_t: number): number { return this.fixed; }
}

class PosixZone extends ProbedZone {
  private readonly span: Span = { dst: false, from: 0, to: 0 };
  constructor(name: string, private readonly rules: PosixRules) { super(name); }
  protected lookup(t: number): number {
    posixSpan(this.rules, t, this.span);
    this.dst = this.span.dst;
    this.validFrom = this.span.from;
    this.validTo = this.span.to;
    return this.dst ? this.rules.dst.offset : this.rules.std.offset;
  }
}

class TzifZone extends ProbedZone {
  private readonly span: Span = { dst: false, from: 0, to: 0 };
  constructor(name: string, private readonly data: TzifData) { super(name); }
  protected lookup(t: number): number {
    const o = tzifOffset(this.data, t, this.span);
    this.dst = this.span.dst;
    this.validFrom = this.span.from;
    this.validTo = this.span.to;
    return o;
  }
}

/**
 * Fallback for an IANA zone name when no zone file is installed: ICU's data through Intl.
 * DST is taken to be "offset above the smaller of the January and July offsets".
 */
class IntlZone extends ProbedZone {
  private readonly fmt: Intl.DateTimeFormat;
  private lastT = NaN;
  private lastOffset = 0;
  private lastDst = false;
  constructor(name: string) {
    super(name);
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
  }
  private rawOffset(t: number): number {
    const f: Record<string, number> = {};
    let bc = false;
    for (const p of this.fmt.formatToParts(new Date(t * 1000))) {
      if (p.type === 'era') bc = p.value.startsWith('B');
      else if (p.type !== 'literal') f[p.type] = Number(p.value);
    }
    const year = bc ? 1 - f['year']! : f['year']!;
    const wall = daysFromCivil(year, f['month']!, f['day']!) * SECONDS_PER_DAY
      + f['hour']! * 3600 + f['minute']! * 60 + f['second']!;
    return wall - t;
  }
  protected lookup(t: number): number {
    this.validFrom = this.validTo = t; // no span known: never cached
    if (t !== this.lastT) {
      this.lastT = t;
      this.lastOffset = this.rawOffset(t);
      const year = new Date(t * 1000).getUTCFullYear();
      const jan = this.rawOffset(Date.UTC(year, 0, 1) / 1000);
      const jul = this.rawOffset(Date.UTC(year, 6, 1) / 1000);
      this.lastDst = this.lastOffset > Math.min(jan, jul);
    }
    this.dst = this.lastDst;
    return this.lastOffset;
  }
}

function readZoneFile(path: string): TzifData | null {
  try {
    return parseTzif(readFileSync(path));
  } catch {
    return null;
  }
}

function isIntlZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** UTC as a local zone (TZ="" or an unreadable TZ). */
export function utcZone(): LocalZone {
  return new FixedZone('UTC', 0);
}

/** A local zone with a constant offset (seconds east), e.g. for tests. */
export function fixedLocalZone(offsetSeconds: number, name = 'fixed'): LocalZone {
  return new FixedZone(name, offsetSeconds);
}

/**
 * The local zone for a TZ value, resolved like the C library: null = TZ unset (/etc/localtime),
 * "" = UTC, a leading ':' is ignored, a name is looked up under $TZDIR or /usr/share/zoneinfo,
 * anything else is read as a POSIX rule string. A name with no zone file but known to ICU uses
 * ICU's rules (the C library would fall back to UTC). Omitted: the process's TZ.
 */
export function createLocalZone(tz: string | null = process.env['TZ'] ?? null): LocalZone {
  if (tz === null) {
    const data = readZoneFile('/etc/localtime');
    return data !== null ? new TzifZone('/etc/localtime', data) : utcZone();
  }
  let spec = tz === '' ? 'Universal' : tz;
  if (spec.startsWith(':')) spec = spec.slice(1);
  if (spec !== '') {
    const dir = process.env['TZDIR'] || '/usr/share/zoneinfo';
    const data = readZoneFile(isAbsolute(spec) ? spec : join(dir, spec));
    if (data !== null) return new TzifZone(tz, data);
  }
  const rules = parsePosixTz(spec);
  if (rules !== null) return new PosixZone(tz, rules);
  if (spec.includes('/') && isIntlZone(spec)) return new IntlZone(spec);
  return new FixedZone(tz, 0);
}

const zones = new Map<string, LocalZone>();

/**
 * The process's local zone for the current TZ, one instance per TZ value so that, as in the C
 * library, every date parser shares mktime's memory of the last offset.
 */
export function defaultLocalZone(): LocalZone {
  const tz = process.env['TZ'] ?? null;
  const key = tz === null ? '\0unset' : tz;
  let z = zones.get(key);
  if (z === undefined) {
    z = createLocalZone(tz);
    zones.set(key, z);
  }
  return z;
}
