/**
 * The date detector: which template finds the date of a line, with fail2ban's search order
 * (datedetector.py): the template that matched last is tried first (an unanchored one only
 * between the same boundaries as last time); otherwise templates are tried in list order, a
 * line-anchored hit ends the search, a hit further into the line than expected is kept as a
 * candidate while the search goes on, and the nearest candidate wins. Winners bubble up the list
 * by hits × weight / distance, so the usual format is found with one regex search per line.
 */
import type { DateCapture, DateDetector, DateDetectorOptions, TemplateInfo } from './index.js';
import { templatesFor } from './catalogue.js';
import {
  charAtCodePoint, codePointAt, codePointBefore, codePointIndex, isAlnum, unitIndex,
} from './codepoints.js';
import { compileTemplate, type CompiledTemplate, type CompiledVariant } from './compile.js';
import { DateFields, epochTime, fieldsTime, readFields, tai64nTime, TimeCache } from './convert.js';
import { defaultLocalZone, type LocalZone } from './localZone.js';
import { FastDate, MATCH, NONE, recognizerFor, UNSURE, type Recognizer } from './recognize.js';
import { LINE_BEGIN, LINE_END, TemplateKind, type TemplateDef } from './template.js';
import { parseTimeZone } from './timezone.js';
import { groupValue } from '../pyregex/index.js';

/** A template as one detector uses it: shared definition, own statistics. */
class Entry implements TemplateInfo {
  hits = 0;
  lastUsed = 0;
  /** Code-point offset of the last match (fail2ban starts from "very far"). */
  distance = 0x7fffffff;
  readonly anchored: boolean;
  /** Hand-written matcher that stands in for the regex on the usual lines (line-anchored only). */
  readonly fast: Recognizer | null;

  private compiled: CompiledTemplate | null = null;

  constructor(readonly def: TemplateDef, private readonly context: string, fast: boolean) {
    this.anchored = (def.flags & (LINE_BEGIN | LINE_END)) !== 0;
    this.fast = fast && this.anchored ? recognizerFor(def) : null;
  }

  /** The template's regexes, built the first time the template is tried (most never are). */
  get ct(): CompiledTemplate {
    return this.compiled ??= compileTemplate(this.def, this.context);
  }
  get name(): string { return this.def.name; }
  get pattern(): string { return this.def.pattern ?? ''; }
  get regex(): string { return this.def.regex; }
  get baseWeight(): number { return this.def.weight; }
  get weight(): number { return (this.hits * this.def.weight) / Math.max(1, this.distance); }
}

/** Seconds a template may stay unused before a newcomer may take its place regardless of weight. */
const UNUSED_TIME = 300;
const FAR = 0x7fffffff;

class Detector implements DateDetector {
  start = 0;
  end = 0;
  dropLine = false;
  readonly stats: readonly Entry[];
  readonly none: boolean;

  private readonly order: Entry[];
  private readonly zone: LocalZone;
  private readonly defaultTz: number | null;
  private readonly clock: () => number;

  // Where the last date was found (code points) and the characters around it (-1 = none).
  private lastIdx = FAR;
  private lastDist = 1;
  private lastBefore = -1;
  private lastFirst = -1;
  private lastEnd = FAR;
  private lastEndLast = -1;
  private lastAfter = -1;
  private firstUnused = 0;

  /** The line being searched is pure ASCII: use the fast translations. */
  private ascii = true;
  // The match time() converts.
  private matchVariant: CompiledVariant | null = null;
  private matchLine: string | null = null;
  private match: RegExpExecArray | null = null;
  private matchEntry: Entry | null = null;
  /** The last date was found by a recognizer: its fields are in `fastDate` (`match` is null). */
  private matchFast = false;
  private readonly fastDate = new FastDate();
  /** Lines whose date a recognizer found (tests read it to know the fast path was taken). */
  private fastWins = 0;
  /** The regex path's fields, read from its match. */
  private readonly fields = new DateFields();
  /** Remembers the last conversion (null: the fast paths are off). */
  private readonly times: TimeCache | null;

  constructor(opts: DateDetectorOptions) {
    const context = opts.context ?? 'datepattern';
    const list = templatesFor(opts.pattern, context);
    const fast = opts.fast ?? true;
    this.order = list.templates.map((d) => new Entry(d, context, fast));
    // a broken pattern is a configuration error now, not when a line first needs it
    if (opts.eager ?? true) for (const e of this.order) void e.ct.unicode;
    this.stats = this.order.slice();
    this.none = list.none;
    this.defaultTz = opts.timezone === undefined ? null : parseTimeZone(opts.timezone, `${context}: timezone`);
    this.zone = opts.localZone ?? defaultLocalZone();
    this.times = fast ? new TimeCache(this.zone, this.defaultTz) : null;
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  get templates(): readonly TemplateInfo[] {
    return this.order;
  }

  /** Search with Python's search(line, pos, endpos) semantics (UTF-16 positions). */
  private exec(e: Entry, line: string, from: number, to: number): RegExpExecArray | null {
    const re = (this.ascii ? e.ct.ascii : e.ct.unicode).search;
    re.lastIndex = from;
    return re.exec(to >= line.length ? line : line.slice(0, to));
  }

  find(line: string, ascii = Buffer.byteLength(line, 'utf8') === line.length): boolean {
    // The usual case first, kept small: the template that matched last has a recognizer (it is
    // then anchored) and finds this line's date too.
    const idx = this.lastIdx;
    let first = UNSURE;
    if (idx < this.order.length) {
      const entry = this.order[idx]!;
      if (entry.fast !== null) {
        first = entry.fast(line, ascii, this.fastDate);
        if (first === MATCH) return this.winFast(line, entry, idx);
      }
    }
    return this.search(line, ascii, first);
  }

  /**
   * find() with fail2ban's whole search. `first`: what the recognizer of the template that
   * matched last said about the line (UNSURE when it has none).
   */
  private search(line: string, ascii: boolean, first: number): boolean {
    this.ascii = ascii;
    const order = this.order;
    const n = order.length;
    let m: RegExpExecArray | null = null;
    let entry: Entry | undefined;
    let idx = this.lastIdx;
    let dist = 0;
    let endCp = 0;
    let skip = FAR;
    // The nearest match kept while searching on (fail2ban's "found").
    let bestM: RegExpExecArray | null = null;
    let bestIdx = 0;
    let bestDist = FAR;
    let bestEnd = 0;

    if (idx < n) {
      entry = order[idx]!;
      if (entry.anchored) {
        skip = idx;
        m = first === NONE ? null : this.exec(entry, line, 0, line.length);
      } else if (this.sameBoundaries(line)) {
        // Search only between the old boundaries.
        m = this.exec(entry, line, this.unit(line, this.lastDist), this.unit(line, this.lastEnd));
      } else {
        m = this.exec(entry, line, 0, line.length);
        skip = idx;
      }
      if (m !== null) {
        dist = this.cp(line, m.index);
        endCp = dist + this.cp(m[0], m[0].length);
        if (!(n === 1 || entry.anchored || (dist === this.lastDist && endCp === this.lastEnd))) {
          // Found elsewhere in the line: maybe another format now; keep it and search all.
          bestM = m; bestIdx = idx; bestDist = dist; bestEnd = endCp;
          m = null;
        }
      }
    }
    if (m === null) {
      for (let i = 0; i < n; i++) {
        if (i === skip) continue;
        const e = order[i]!;
        let r: RegExpExecArray | null;
        if (e.fast === null) {
          r = this.exec(e, line, 0, line.length);
        } else {
          const k = e.fast(line, ascii, this.fastDate);
          // recognizers are for anchored templates only: a hit ends the search
          if (k === MATCH) return this.winFast(line, e, i);
          r = k === NONE ? null : this.exec(e, line, 0, line.length);
        }
        if (r === null) continue;
        m = r;
        entry = e;
        idx = i;
        dist = this.cp(line, r.index);
        endCp = dist + this.cp(r[0], r[0].length);
        if (i + 1 >= n || e.anchored) break;
        if (dist > e.distance || dist > this.lastDist) {
          // Further into the line than expected: perhaps a date inside the message.
          if (dist < bestDist) { bestM = r; bestIdx = i; bestDist = dist; bestEnd = endCp; }
          m = null;
          continue;
        }
        break;
      }
      if (m === null && bestM !== null) {
        m = bestM; idx = bestIdx; dist = bestDist; endCp = bestEnd;
        entry = order[idx]!;
      }
    }
    if (m === null || entry === undefined) {
      this.match = null;
      this.matchLine = null;
      this.matchFast = false;
      return false;
    }
    this.win(line, m, entry, idx, dist, endCp);
    return true;
  }

  // Python positions are code points; on ASCII lines they are the UTF-16 positions.
  private cp(s: string, unit: number): number {
    return this.ascii ? unit : codePointIndex(s, unit);
  }
  private unit(s: string, cp: number): number {
    return this.ascii ? Math.min(cp, s.length) : unitIndex(s, cp);
  }
  private charAt(s: string, cp: number): number {
    if (!this.ascii) return charAtCodePoint(s, cp);
    return cp >= 0 && cp < s.length ? s.charCodeAt(cp) : -1;
  }

  /** Are the characters around the last match's span the same in this line? */
  private sameBoundaries(line: string): boolean {
    const before = this.charAt(line, this.lastDist - 1);
    const first = this.charAt(line, this.lastDist);
    const after = this.charAt(line, this.lastEnd);
    const last = this.charAt(line, this.lastEnd - 1);
    return (before === this.lastBefore || (first === this.lastFirst && !isAlnum(this.lastFirst)))
      && (after === this.lastAfter || (last === this.lastEndLast && !isAlnum(this.lastEndLast)));
  }

  private win(line: string, m: RegExpExecArray, entry: Entry, idx: number, dist: number, endCp: number): void {
    this.record(line, entry, idx, m.index, m.index + m[0].length, dist, endCp);
    this.match = m;
    this.matchLine = line;
    this.matchEntry = entry;
    this.matchFast = false;
    this.matchVariant = this.ascii ? entry.ct.ascii : entry.ct.unicode;
    this.setSpan(m, this.matchVariant);
  }

  /**
   * A recognizer's hit (a line-anchored match from position 0 over ASCII text, so code points
   * and UTF-16 units agree on its span): the same bookkeeping as a regex hit.
   */
  private winFast(line: string, entry: Entry, idx: number): true {
    const fd = this.fastDate;
    this.fastWins++;
    this.record(line, entry, idx, 0, fd.end, 0, fd.end);
    this.match = null;
    this.matchLine = line;
    this.matchEntry = entry;
    this.matchFast = true;
    this.start = fd.start;
    this.end = fd.end;
    return true;
  }

  /** The winner's statistics, the surroundings of its match, the search order. */
  private record(line: string, entry: Entry, idx: number, startUnit: number, endUnit: number, dist: number,
    endCp: number): void {
    entry.hits++;
    entry.lastUsed = this.clock();
    entry.distance = dist;
    if (this.firstUnused === idx) this.firstUnused++;
    this.lastDist = dist;
    this.lastEnd = endCp;
    // The characters around the match are compared only when the last winner is not anchored
    // (sameBoundaries); an anchored winner's are never looked at, so they are not read.
    if (!entry.anchored) {
      this.lastBefore = dist >= 1 ? codePointBefore(line, startUnit) : -1;
      this.lastFirst = codePointAt(line, startUnit);
      // Python's line[end-1] wraps to the last character when end is 0.
      this.lastEndLast = endUnit >= 1 ? codePointBefore(line, endUnit) : codePointBefore(line, line.length);
      this.lastAfter = codePointAt(line, endUnit);
    }
    if (idx !== 0 && idx !== this.lastIdx) idx = this.reorder(idx);
    this.lastIdx = idx;
  }

  /** Group 1's span in UTF-16 units. */
  private setSpan(m: RegExpExecArray, ct: CompiledVariant): void {
    const g1 = groupValue(m, ct.group1);
    if (g1 === undefined) {
      // Group 1 did not take part: fail2ban then sees an empty date.
      this.start = this.end = 0;
      return;
    }
    if (ct.spans === null) {
      this.end = m.index + m[0].length;
      this.start = this.end - g1.length;
      return;
    }
    const re = ct.spans;
    re.lastIndex = m.index;
    const md = re.exec(m.input);
    const ix = md?.indices;
    if (ix !== undefined) {
      for (const g of ct.group1) {
        const span = ix[g];
        if (span !== undefined) { this.start = span[0]; this.end = span[1]; return; }
      }
    }
    this.start = this.end = 0;
  }

  /** Move a winning template up the list (fail2ban's bubble-up). Returns its new index. */
  private reorder(num: number): number {
    const order = this.order;
    const e = order[num]!;
    const untime = e.lastUsed - UNUSED_TIME;
    const weight = e.weight;
    let pos = this.firstUnused < num ? this.firstUnused : num >> 1;
    const movable = (p: number): boolean => weight > order[p]!.weight || untime > order[p]!.lastUsed;
    if (!movable(pos)) {
      if (pos === num - 1) return num;
      pos = num - 1;
      if (!movable(pos)) return num;
    }
    order.splice(num, 1);
    order.splice(pos, 0, e);
    while (this.firstUnused < order.length && order[this.firstUnused]!.hits) this.firstUnused++;
    return pos;
  }

  time(line: string, now: number): number | null {
    this.dropLine = false;
    if (line !== this.matchLine && !this.find(line)) return null;
    // An empty date (e.g. {NONE}) has no time: fail2ban uses the last known date or now.
    if (this.start === this.end) return null;
    if (this.matchFast) return this.fieldsTime(this.fastDate, now);
    return this.convert(this.match!, this.matchEntry!, this.matchVariant!, now);
  }

  capture(into?: DateCapture | null): DateCapture | null {
    if (this.matchLine === null || this.start === this.end) return null;
    const fast = this.matchFast;
    let c: Capture;
    if (into instanceof Capture) {
      c = into;
      c.line = this.matchLine;
      c.m = this.match;
      c.entry = this.matchEntry!;
      c.ct = fast ? null : this.matchVariant;
      c.start = this.start;
      c.end = this.end;
    } else {
      c = new Capture(this.matchLine, this.match, this.matchEntry!, fast ? null : this.matchVariant, this.start, this.end);
    }
    if (fast) {
      const fd = this.fastDate;
      c.year = fd.year;
      c.month = fd.month;
      c.day = fd.day;
      c.hour = fd.hour;
      c.minute = fd.minute;
      c.second = fd.second;
      c.zone = fd.zone;
    }
    return c;
  }

  timeOf(c: DateCapture, now: number): number | null {
    this.dropLine = false;
    const k = c as Capture;
    if (k.m === null) return this.fieldsTime(k, now);
    return this.convert(k.m, k.entry, k.ct!, now);
  }

  /** time() of a date's fields. */
  private fieldsTime(f: DateFields, now: number): number | null {
    const t = this.times !== null ? this.times.time(f, now) : fieldsTime(f, now, this.zone, this.defaultTz);
    if (t === undefined) {
      this.dropLine = true;
      return null;
    }
    return t;
  }

  private convert(m: RegExpExecArray, e: Entry, ct: CompiledVariant, now: number): number | null {
    let t: number | null | undefined;
    switch (e.def.kind) {
      case TemplateKind.Pattern: {
        const f = readFields(m, ct, this.fields);
        if (f === null || f === undefined) t = f;
        else t = this.times !== null ? this.times.time(f, now) : fieldsTime(f, now, this.zone, this.defaultTz);
        break;
      }
      case TemplateKind.Epoch: t = epochTime(m, ct, e.def.longEpoch); break;
      default: t = tai64nTime(m, ct);
    }
    if (t === undefined) {
      this.dropLine = true;
      return null;
    }
    return t;
  }
}

/**
 * A date found earlier, kept to be converted later (see DateDetector.capture): the regex match,
 * or (m null) a recognizer's fields.
 */
class Capture extends DateFields implements DateCapture {
  // (mutable: capture(into) fills a capture again; a recognizer's fields never include the
  // weekday or week fields, which stay at their defaults)
  constructor(public line: string, public m: RegExpExecArray | null, public entry: Entry,
    public ct: CompiledVariant | null, public start: number, public end: number) {
    super();
  }
}

export function createDetector(opts: DateDetectorOptions): DateDetector {
  return new Detector(opts);
}
