/**
 * The filter stage for one log stream: lines in, failures out.
 *
 *   line ─► date found and cut out ─► buffer (maxlines) ─► prefregex (<F-CONTENT>)
 *        ─► failregexes in order ─► ignoreregexes ─► multi-line session merge (mlfid)
 *        ─► failure id (address, network, raw id or host name) ─► Failure
 *
 * Semantics follow fail2ban 1.0.2 (filter.py, failregex.py): the text the regexes see has the
 * date removed and always ends with "\n"; matched lines of a multi-line buffer are consumed.
 */
import type { DateCapture, DateDetector } from './date/index.js';
import type { CompiledFilter, UseDns } from './compiledFilter.js';
import type { FilterRegex, Groups } from './filterRegex.js';
import { hostId, rawId, type HostId } from './ip.js';
import { TtlCache } from './ttlCache.js';
import type { FailData, Failure, FailureKind } from './types.js';

/** One buffered line: the text before and after the date, and the date text itself. */
export interface BufLine {
  readonly pre: string;
  readonly date: string;
  readonly post: string;
  readonly lineNo: number;
  /** pre + post + "\n" when it exists already as one string (a slice of the log text). */
  readonly nl?: string | undefined;
  /** pre + date + post when it exists already as one string (the line as read). */
  readonly whole?: string | undefined;
}

export interface FilterOptions {
  readonly dates: DateDetector;
  /** fail2ban's returnRawHost (fail2ban-regex -r, the sample tests): host names are not resolved. */
  readonly rawHosts?: boolean;
  /** Try every failregex on a line (fail2ban-regex statistics) instead of stopping at the first hit. */
  readonly checkAllRegex?: boolean;
  /** Drop failures that have no id yet (pending in a multi-line session). Default true. */
  readonly ignorePending?: boolean;
  /** "Now" in epoch seconds (fail2ban's MyTime): year inference and dateless lines. */
  readonly clock?: () => number;
  /** Real time in seconds for cache expiry; defaults to the wall clock. */
  readonly realClock?: () => number;
  /** Daemon time rules: ignore old lines while catching up, treat odd dates as now in operation. */
  readonly checkFindTime?: boolean;
  readonly findTime?: number;
  /**
   * Parse the dates of lines that cannot fail only when needed (default true). Off when exact
   * per-line date statistics are wanted.
   */
  readonly lazyDates?: boolean;
  /**
   * Keep the matched lines of each failure in its data (`matches`, default true). Off when
   * nobody reads them (JSON output): saves building arrays for every match.
   */
  readonly keepMatches?: boolean;
  /** Called when an ignoreregex hit removed a match. */
  readonly onIgnoreRegex?: (index: number) => void;
  /** Called when a date looked wrong (once-per-day style warnings are the caller's business). */
  readonly onWarning?: (code: 'no-date' | 'odd-time' | 'too-old' | 'bad-date', line: string) => void;
  /**
   * Hand lines that may fail to someone else instead of matching them here (a pipeline: this
   * filter finds dates, another runs the regexes with matchLine()). The BufLine is fresh;
   * `hasNl`: the line was followed by "\n"; `ascii`: the line is pure ASCII (matchLine must be
   * told: the ASCII translations of the regexes are right for ASCII text only).
   */
  readonly handoff?: (cur: BufLine, date: number | null, noDate: boolean, hasNl: boolean, ascii: boolean) => void;
}

const NONE: readonly Failure[] = Object.freeze([]);
const NON_ASCII = /[^\x00-\x7f]/;
const STOP = Symbol('stop');

interface SearchResult {
  readonly m: RegExpExecArray;
  readonly matched: BufLine[];
  readonly unmatched: BufLine[];
}

/** The line of process() with its "\n" (see there), or undefined when it has none. */
function lineNlOf(src: string | undefined, srcFrom: number, lineEnd: number): string | undefined {
  if (src === undefined) return undefined;
  return srcFrom === 0 && src.length === lineEnd ? src : src.slice(srcFrom, lineEnd);
}

function bufText(lines: readonly BufLine[]): string {
  if (lines.length === 1) return lines[0]!.pre + lines[0]!.post + '\n';
  let s = '';
  for (let i = 0; i < lines.length; i++) s += (i ? '\n' : '') + lines[i]!.pre + lines[i]!.post;
  return s + '\n';
}

/** The whole line as read (fail2ban joins the three parts back). */
export function wholeLine(l: BufLine): string {
  return l.whole ?? l.pre + l.date + l.post;
}

function countNl(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Run a regex on a buffer and work out which buffered lines the match covered. */
function search(re: FilterRegex, text: string, org: readonly BufLine[], ascii: boolean): SearchResult | null {
  const m = re.exec(text, ascii);
  if (m === null) return null;
  if (org.length <= 1) return { m, matched: org.slice(), unmatched: [] };
  const start = m.index;
  const end = start + m[0].length;
  const lineStart = text.lastIndexOf('\n', start) + 1;
  let e1 = end - 1;
  if (e1 < 0) e1 += text.length;
  const nl = text.indexOf('\n', e1);
  const lineEnd = nl === -1 ? text.length : nl + 1;
  const c1 = countNl(text, 0, lineStart);
  const c2 = countNl(text, 0, lineEnd);
  const matched = org.slice(c1, c2);
  const unmatched = org.slice(0, c1);
  let n = 0;
  for (const skipped of re.skippedLines(m)) {
    for (let k = n; k < matched.length; k++) {
      const l = matched[k]!;
      if (l.pre + l.post === skipped) {
        unmatched.push(matched.splice(k, 1)[0]!);
        n = k;
        break;
      }
    }
  }
  for (let k = c2; k < org.length; k++) unmatched.push(org[k]!);
  return { m, matched, unmatched };
}

type MlfidEntry = { data: FailData };

export class Filter {
  readonly def: CompiledFilter;
  private readonly dates: DateDetector;
  private readonly rawHosts: boolean;
  private readonly useDns: UseDns;
  private readonly checkAll: boolean;
  private readonly keepMatches: boolean;
  private readonly ignorePending: boolean;
  private readonly clock: () => number;
  private readonly checkFindTime: boolean;
  private readonly findTime: number;
  private readonly onIgnoreRegex: ((i: number) => void) | undefined;
  private readonly onWarning: FilterOptions['onWarning'];
  private readonly handoff: FilterOptions['handoff'];
  private readonly mlfid: TtlCache<string, MlfidEntry>;
  /** What failureIds() found. */
  private foundId: HostId = rawId('');
  private foundKind: FailureKind = 'raw';
  private foundIp: HostId | undefined = undefined;

  private lineBuffer: BufLine[] = [];
  /** The matched lines of a single-line match (reused: nobody keeps the array). */
  private readonly oneLine: BufLine[] = [];
  private lastDate: number | null = null;
  private lastTimeText = '';
  /** After the first end of file the daemon is "in operation" (fail2ban's inOperation). */
  inOperation = true;
  /**
   * Set by whoever feeds lines when it knows they are all pure ASCII (then the ASCII
   * translations of the regexes are used without looking at each line).
   */
  asciiHint = false;
  /** Whether the text being searched now is pure ASCII. */
  private ascii = true;
  /** Set when the last processed line matched the prefregex (statistics). */
  prefMatched = false;
  /**
   * Dates of lines that cannot fail (the literal pre-filter rejected them), found but not yet
   * converted, oldest first. They matter only when a later line has no date (it then takes the
   * last known date), so they are converted lazily: when such a line comes, or every few
   * entries (then converting the newest one usually settles them all). Every line's date is
   * still searched: the search order of the templates depends on every line seen. The first
   * `pendingN` slots are pending; the objects stay for reuse (no allocation per line).
   */
  private readonly pending: DateCapture[] = [];
  private pendingN = 0;
  /** Single-line filter with a literal pre-filter and no daemon time rules: dates are parsed lazily. */
  private readonly lazyDates: boolean;

  constructor(def: CompiledFilter, opts: FilterOptions) {
    this.def = def;
    this.dates = opts.dates;
    this.rawHosts = opts.rawHosts ?? false;
    this.useDns = def.useDns;
    this.checkAll = opts.checkAllRegex ?? false;
    this.keepMatches = opts.keepMatches ?? true;
    this.ignorePending = opts.ignorePending ?? true;
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.checkFindTime = opts.checkFindTime ?? false;
    this.findTime = opts.findTime ?? 600;
    this.onIgnoreRegex = opts.onIgnoreRegex;
    this.onWarning = opts.onWarning;
    this.handoff = opts.handoff;
    this.lazyDates = (opts.lazyDates ?? true) && def.maxlines === 1 && def.prefilter !== null && !this.checkFindTime;
    const real = opts.realClock ?? (() => Date.now() / 1000);
    this.mlfid = new TtlCache(100, 300, real);
  }

  /** Forget a line that was dropped half-way (it took too long): it must not stay buffered. */
  forget(lineNo: number): void {
    if (this.lineBuffer.some((l) => l.lineNo === lineNo)) this.lineBuffer = this.lineBuffer.filter((l) => l.lineNo !== lineNo);
  }

  /** Lines currently held in the multi-line buffer. */
  get buffered(): readonly BufLine[] {
    return this.lineBuffer;
  }

  /** The date the detector just found is pending (the line cannot fail). */
  private addPending(): void {
    const q = this.pending;
    const n = this.pendingN;
    const c = this.dates.capture(n < q.length ? q[n] : null);
    if (c === null) return;
    q[n] = c;
    this.pendingN = n + 1;
    // keep the list short: converting the newest date almost always settles all of them
    if (n + 1 >= 8) this.resolve();
  }

  /** Bring lastDate up to date from the pending dates (the newest one that converts wins). */
  private resolve(): true {
    const q = this.pending;
    if (this.pendingN === 0) return true;
    const now = this.clock();
    for (let i = this.pendingN - 1; i >= 0; i--) {
      const c = q[i]!;
      const t = this.dates.timeOf(c, now);
      if (t !== null) {
        this.lastDate = t;
        this.lastTimeText = c.line.slice(c.start, c.end);
        break;
      }
    }
    this.pendingN = 0;
    return true;
  }

  /**
   * Process one line (without its line terminator). `journal` gives the date of a journal
   * entry (no date detection) together with its ISO text.
   */
  processLine(line: string, lineNo: number, journal?: { time: number; text: string }): readonly Failure[] {
    return this.process(line, undefined, 0, lineNo, journal);
  }

  /**
   * processLine() for the line text[from, nl) where text[nl] is its "\n": the text the regexes
   * search is a slice of `text`, made only for a line that may fail.
   */
  processAt(text: string, from: number, nl: number, lineNo: number): readonly Failure[] {
    return this.process(text.slice(from, nl), text, from, lineNo, undefined);
  }

  /**
   * `src`: when given, the line is followed by "\n" in src at srcFrom + line.length (the line
   * itself starts at srcFrom).
   */
  private process(line: string, src: string | undefined, srcFrom: number, lineNo: number,
    journal: { time: number; text: string } | undefined): readonly Failure[] {
    this.prefMatched = false;
    this.ascii = this.asciiHint || !NON_ASCII.test(line);
    let pre = '', dateText = '', post = line;
    /** The line with its "\n", when it is followed by one (made when needed). */
    const lineEnd = srcFrom + line.length + 1;
    let nl: string | undefined;
    let whole: string | undefined = line;
    let date: number | null = null;
    let noDate = false;
    // "now" is read only when needed (most lines carry their own date)
    let now = NaN;
    if (journal !== undefined) {
      this.pendingN = 0;
      whole = undefined;
      dateText = journal.text;
      date = journal.time;
      this.lastTimeText = dateText;
      this.lastDate = date;
    } else {
      const dd = this.dates;
      if (dd.find(line, this.ascii)) {
        const s = dd.start, e = dd.end;
        if (e > s) {
          if (this.lazyDates && (s === 0 ? !this.def.prefilter!.testFrom(line, e) : !this.def.prefilter!.test(line.slice(0, s), line.slice(e)))) {
            // cannot fail: its date is converted only if a later line needs it
            this.addPending();
            return NONE;
          }
          if (s > 0) pre = line.slice(0, s);
          post = line.slice(e);
          nl = s === 0 && src !== undefined ? src.slice(srcFrom + e, lineEnd) : undefined;
          dateText = line.slice(s, e);
          date = dd.time(line, now === now ? now : (now = this.clock()));
          if (date !== null) {
            this.lastTimeText = dateText;
            this.lastDate = date;
            this.pendingN = 0;
          } else if (dd.dropLine) {
            // fail2ban's date parser raises on this date: the line is dropped
            this.onWarning?.('bad-date', line);
            return NONE;
          }
        } else {
          // an empty date: the whole line is searched
          nl = lineNlOf(src, srcFrom, lineEnd);
          if (this.resolve() && this.lastDate !== null && this.lastDate > (now = this.clock()) - 60) {
            dateText = this.lastTimeText;
            whole = undefined;
            date = this.lastDate;
          } else {
            date = now === now ? now : (now = this.clock());
          }
        }
      }
      if (date === null) {
        noDate = true;
        this.resolve();
        if (now !== now) now = this.clock();
        if (this.lastDate !== null && this.lastDate > now - 60) {
          pre = '';
          dateText = this.lastTimeText;
          post = line;
          nl = lineNlOf(src, srcFrom, lineEnd);
          whole = undefined;
          date = this.lastDate;
        } else if (this.checkFindTime && this.inOperation) {
          date = now;
        }
      }
    }
    if (this.checkFindTime && date !== null) {
      if (now !== now) now = this.clock();
      if (this.inOperation) {
        if (Math.abs(Math.trunc(date - now)) > 60) {
          this.onWarning?.('odd-time', line);
          date = now;
          this.lastDate = date;
        }
      } else if (date < now - this.findTime) {
        this.onWarning?.('too-old', line);
        return NONE;
      }
    }
    const cur: BufLine = { pre, date: dateText, post, lineNo, nl, whole };
    if (this.handoff !== undefined) {
      this.handoff(cur, date, noDate, src !== undefined, this.ascii);
      return NONE;
    }
    return this.matchLine(cur, date, noDate);
  }

  /**
   * The regex part of processing a line whose date is known: prefregex, failregexes,
   * ignoreregexes, sessions, failure ids. (processLine does the date part, then this.)
   */
  matchLine(cur: BufLine, date: number | null, noDate: boolean, ascii?: boolean): readonly Failure[] {
    this.prefMatched = false;
    // (from process(), the line's own; a line matched elsewhere says, see FilterOptions.handoff)
    if (ascii !== undefined) this.ascii = ascii;
    return this.def.maxlines === 1 ? this.findSingle(cur, date, noDate) : this.findMulti(cur, date, noDate);
  }

  /** The single-line case, without the buffer bookkeeping (the hot path). */
  private findSingle(cur: BufLine, date: number | null, noDate: boolean): readonly Failure[] {
    const def = this.def;
    let buf = cur.nl ?? (cur.pre === '' ? cur.post + '\n' : cur.pre + cur.post + '\n');
    const pf = def.prefilter;
    // a line without any failregex literal cannot fail (lazyDates tested this already)
    if (pf !== null && !this.lazyDates && !pf.exact.test(buf)) return NONE;
    const ignore = def.ignoreRegex;
    if (ignore.length > 0 && ignore.length < def.failRegex.length - 2) {
      if (this.ignoreLine(buf, [cur], null) !== null) return NONE;
    }
    let preGroups: Groups | null = null;
    if (def.prefRegex !== null) {
      const m = def.prefRegex.exec(buf, this.ascii);
      if (m === null) return NONE;
      this.prefMatched = true;
      preGroups = def.prefRegex.groups(m);
      const content = preGroups['content'];
      preGroups['content'] = undefined;
      if (typeof content === 'string' && content !== '') {
        // content usually ends the text: then "content\n" is a slice of it, no copy
        const n = buf.length - 1;
        buf = def.prefRegex.contentEndsText || buf.endsWith(content, n) ? buf.slice(n - content.length) : content + '\n';
      }
    }
    let out: Failure[] | null = null;
    const fr = def.failRegex;
    const order = def.candidates(buf.charCodeAt(0));
    for (let k = 0; k < order.length; k++) {
      const idx = order[k]!;
      const re = fr[idx]!;
      const m = re.exec(buf, this.ascii);
      if (m === null) continue;
      if (ignore.length > 0) {
        const r: SearchResult = { m, matched: [cur], unmatched: [] };
        if (this.ignoreLine(buf, r.matched, r) !== null) {
          if (!this.checkAll) break;
          continue;
        }
      }
      if (noDate && date === null && this.checkFindTime) continue;
      // the matched lines: this one (an array kept for the purpose; nobody holds on to it)
      const lines = this.oneLine;
      lines[0] = cur;
      const res = this.matched(idx, re, m, lines, preGroups, date, cur.lineNo);
      if (res === STOP) return out ?? NONE;
      if (res !== null) {
        if (out === null) out = res; else out.push(...res);
      }
      if (!this.checkAll) break;
    }
    return out ?? NONE;
  }

  private findMulti(cur: BufLine, date: number | null, noDate: boolean): readonly Failure[] {
    const def = this.def;
    const maxlines = def.maxlines;
    const b = this.lineBuffer;
    b.push(cur);
    const orgBuffer = this.lineBuffer = b.length > maxlines ? b.slice(b.length - maxlines) : b.slice();
    let buf: string | null = bufText(orgBuffer);
    this.ascii = !NON_ASCII.test(buf);
    const ignore = def.ignoreRegex;
    if (ignore.length > 0 && ignore.length < def.failRegex.length - 2) {
      if (this.ignoreLine(buf, orgBuffer, null) !== null) return NONE;
    }
    let preGroups: Groups | null = null;
    if (def.prefRegex !== null) {
      const r = search(def.prefRegex, buf, orgBuffer, this.ascii);
      if (r === null) return NONE;
      this.prefMatched = true;
      preGroups = def.prefRegex.groups(r.m);
      const content = preGroups['content'];
      preGroups['content'] = undefined;
      if (typeof content === 'string' && content !== '') {
        this.lineBuffer = [{ pre: '', date: '', post: content, lineNo: cur.lineNo }];
        buf = null;
      }
    }
    let out: Failure[] | null = null;
    const fr = def.failRegex;
    for (let idx = 0; idx < fr.length; idx++) {
      const re = fr[idx]!;
      if (buf === null) buf = bufText(this.lineBuffer);
      const r = search(re, buf, orgBuffer, this.ascii);
      if (r === null) continue;
      if (ignore.length > 0 && this.ignoreLine(buf, orgBuffer, r) !== null) {
        buf = null;
        if (!this.checkAll) break;
        continue;
      }
      if (noDate && date === null && this.checkFindTime) continue;
      this.lineBuffer = r.unmatched;
      buf = null;
      const res = this.matched(idx, re, r.m, r.matched, preGroups, date, cur.lineNo);
      if (res === STOP) return out ?? NONE;
      if (res !== null) {
        if (out === null) out = res; else out.push(...res);
      }
      if (!this.checkAll) break;
    }
    return out ?? NONE;
  }

  /**
   * A failregex matched: merge groups (prefregex, multi-line session), choose the failure id.
   * STOP: a session helper line ends the search (without checkAll); null: nothing to report.
   */
  private matched(idx: number, re: FilterRegex, m: RegExpExecArray, lines: readonly BufLine[], preGroups: Groups | null,
    date: number | null, lineNo: number): Failure[] | null | typeof STOP {
    let fail: Groups = re.groups(m, preGroups);
    const mlfid = fail['mlfid'];
    const hasMlfid = mlfid !== undefined && mlfid !== null;
    if (hasMlfid) {
      fail = this.mergeFailure(String(mlfid), fail, lines);
      if (fail['nofail'] && !this.checkAll) return STOP;
    } else if (this.keepMatches) {
      const prev = fail['matches'];
      const whole = lines.map(wholeLine);
      fail['matches'] = Array.isArray(prev) ? (prev as string[]).concat(whole) : whole;
    }
    const found = this.failureIds(fail, re, m, hasMlfid);
    if (found === 'error') return null;
    if (found === 'pending') {
      fail['mlfpending'] = 1;
      if (!this.checkAll && this.ignorePending) return STOP;
      return [this.failure(idx, null, 'raw', date, lineNo, fail)];
    }
    if (!found) return null;
    if (this.checkAll && hasMlfid) fail = Object.assign({}, fail);
    return [this.failure(idx, this.foundId, this.foundKind, date, lineNo, fail, this.foundIp)];
  }

  private failure(regexIndex: number, id: HostId | null, kind: FailureKind, time: number | null, lineNo: number,
    fail: Groups, ip?: HostId): Failure {
    const data = fail as FailData;
    if (ip !== undefined) data['ip'] = ip.text;
    return {
      regexIndex,
      id: id === null ? '' : id.text,
      family: id === null ? null : id.family,
      kind: id === null ? 'pending' : kind,
      time,
      lineNo,
      data,
    };
  }

  /**
   * The failure id of a match (fail2ban's choice: fid, ip4, ip6, dns): true when there is one,
   * then in foundId, foundKind and foundIp (fields, not a fresh result per match); false when
   * there is none (a host name with usedns=no).
   */
  private failureIds(fail: Groups, re: FilterRegex, m: RegExpExecArray, hasMlfid: boolean): boolean | 'pending' | 'error' {
    const defCidr: Cidr = this.useDns === 'raw' || this.rawHosts ? RAW : UNSPEC;
    let cidr = defCidr;
    let raw = defCidr === RAW;
    let fid = str(fail['fid']);
    const cidrText = fail['cidr'];
    let ip = str(fail['ip4']);
    if (ip !== undefined) {
      cidr = cidrText ? parseInt(String(cidrText), 10) : 'inet4';
      raw = true;
    } else {
      ip = str(fail['ip6']);
      if (ip !== undefined) {
        cidr = cidrText ? parseInt(String(cidrText), 10) : 'inet6';
        raw = true;
      } else {
        ip = str(fail['dns']);
        if (ip === undefined) {
          if (fid === undefined && !hasMlfid) {
            // the id group of this failregex did not take part: fail2ban reports an error for it
            fid = re.group(m, 'fid') ?? re.group(m, 'ip4') ?? re.group(m, 'ip6') ?? re.group(m, 'dns');
            if (fid === undefined) return 'error';
          }
          ip = fid;
          raw = true;
        }
      }
    }
    if (ip === undefined) return 'pending';
    if (raw) {
      if (fid === undefined || fid === ip) return this.found(ipAddr(ip, cidr), undefined);
      return this.found(ipAddr(fid, defCidr), ipAddr(ip, cidr));
    }
    // a host name: an IPv4 address written as a name is taken as is, otherwise resolve (or drop with usedns=no)
    const plain = searchIP(ip);
    if (plain !== null) {
      const id = ipAddr(plain, UNSPEC);
      if (id.family !== null) return this.found(id, undefined);
    }
    if (this.useDns === 'yes' || this.useDns === 'warn') return this.found(rawId(ip), undefined, 'dns');
    return false;
  }

  private found(id: HostId, ip: HostId | undefined, kind: FailureKind = id.family === null ? 'raw' : 'addr'): true {
    this.foundId = id;
    this.foundKind = kind;
    this.foundIp = ip;
    return true;
  }

  /** fail2ban's _ignoreLine: returns the index of the ignoreregex that matched, or null. */
  private ignoreLine(buf: string, orgBuffer: BufLine[], fr: SearchResult | null): number | null {
    if (fr !== null && this.def.maxlines > 1) {
      orgBuffer = fr.matched;
      buf = bufText(orgBuffer);
    }
    let found: number | null = null;
    const ig = this.def.ignoreRegex;
    for (let i = 0; i < ig.length; i++) {
      if (search(ig[i]!, buf, orgBuffer, this.ascii) === null) continue;
      found = i;
      this.onIgnoreRegex?.(i);
      if ((!this.checkAll || this.def.maxlines > 1) && fr !== null) this.lineBuffer = fr.unmatched;
      if (!this.checkAll) break;
    }
    return found;
  }

  /** Multi-line session correlation by mlfid (fail2ban's _mergeFailure). */
  private mergeFailure(mlfid: string, fail: Groups, lines: readonly BufLine[]): Groups {
    const entry = this.mlfid.size > 0 ? this.mlfid.get(mlfid) : undefined;
    let users = 0;
    let flags = 0;
    if (fail['mlfgained']) {
      flags |= 8 | 1;
      if (!fail['nofail']) fail['nofail'] = fail['mlfgained'];
    } else if (fail['nofail']) flags |= 1;
    const forget = fail['mlfforget'];
    fail['mlfforget'] = undefined;
    if (forget) flags |= 2;
    if (entry !== undefined) {
      const g = entry.data as Groups;
      users = updateUsers(g, fail['user']);
      if (g['nofail']) flags |= 4;
      g['nofail'] = undefined;
      if (g['mlfgained']) flags |= 4;
      g['mlfgained'] = undefined;
      if (flags & 8) g['mlfpending'] = undefined;
      if ((flags & 4) === 0 && !g['mlfpending']) g['matches'] = undefined;
      for (const k in fail) {
        const v = fail[k];
        if (v !== undefined && v !== null) g[k] = v;
      }
      fail = g;
      if (flags & 2) this.mlfid.delete(mlfid);
    } else if (!(flags & 2)) {
      users = updateUsers(fail, fail['user']);
      // not in the cache: get() above found nothing (or the cache was empty)
      this.mlfid.add(mlfid, { data: fail as FailData });
    }
    const pending = fail['mlfpending'];
    fail['mlfpending'] = undefined;
    if (pending || users > 1) {
      fail['nofail'] = undefined;
      fail['mlfgained'] = undefined;
      flags &= ~(8 | 1);
    }
    if (!this.keepMatches) {
      // nobody reads the matched lines
    } else if ((flags & 1) === 0) {
      const nf = fail['nofail-matches'];
      fail['nofail-matches'] = undefined;
      let m: string[] = Array.isArray(nf) ? (nf as string[]).slice() : [];
      const prev = fail['matches'];
      if (Array.isArray(prev)) m = m.concat(prev as string[]);
      if ((flags & 8) === 0) m = m.concat(lines.map(wholeLine));
      fail['matches'] = m;
    } else if ((flags & 3) === 1) {
      const nf = fail['nofail-matches'];
      fail['nofail-matches'] = (Array.isArray(nf) ? nf as string[] : []).concat(lines.map(wholeLine));
    }
    return fail;
  }
}

/**
 * Note a session's user (fail2ban keeps a set of them); returns how many different users the
 * session has had. One user is kept as a string: a Set is made only for a second one.
 */
function updateUsers(g: Groups, user: unknown): number {
  const u = g['users'] as Set<string> | string | undefined;
  if (!user) return u === undefined ? 0 : typeof u === 'string' ? 1 : u.size;
  const s = String(user);
  if (u === undefined) {
    g['users'] = s;
    return 1;
  }
  if (typeof u === 'string') {
    if (u === s) return 1;
    g['users'] = new Set([u, s]);
    return 2;
  }
  u.add(s);
  return u.size;
}

const IP_4_6 = /^(?:((?:\d{1,3}\.){3}\d{1,3})|\[?((?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))\]?)$/;

/** fail2ban's searchIP: an IPv4 address written where a host name was expected. */
function searchIP(text: string): string | null {
  const m = IP_4_6.exec(text);
  // (fail2ban returns the IPv4 part only: an IPv6 text falls through to DNS)
  return m !== null && m[1] !== undefined ? m[1] : null;
}

/** How fail2ban's IPAddr(text, cidr) is asked to read a text. */
type Cidr = 'raw' | 'unspec' | 'inet4' | 'inet6' | number;
const RAW: Cidr = 'raw';
const UNSPEC: Cidr = 'unspec';

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** IPAddr(text, cidr): raw text, an address of a given family, a network, or (unspecified) any of them. */
export function ipAddr(text: string, cidr: Cidr): HostId {
  if (cidr === RAW) return rawId(text);
  if (cidr === 'inet4' || cidr === 'inet6') return hostId(text, cidr);
  if (typeof cidr === 'number') return hostId(text, undefined, cidr);
  let s = text;
  if (s.length > 2 && s[0] === '[' && s[s.length - 1] === ']') s = s.slice(1, -1);
  const slash = s.indexOf('/');
  if (slash < 0) return hostId(s);
  const plen = maskToPrefix(s.slice(slash + 1));
  if (plen === null) return rawId(text);
  return hostId(s.slice(0, slash), undefined, plen);
}

function maskToPrefix(m: string): number | null {
  if (/^\d+$/.test(m)) return parseInt(m, 10);
  const id = hostId(m);
  if (id.family !== 'inet4') return null;
  // a netmask such as 255.255.0.0: count the leading one bits
  const n = id.text.split('.').reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
  let bits = 0;
  while (bits < 32 && (n & (0x80000000 >>> bits)) !== 0) bits++;
  return bits;
}
