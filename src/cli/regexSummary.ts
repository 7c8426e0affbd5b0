/**
 * Statistics and the readable report of `logjail regex` (laid out like fail2ban-regex's, so
 * admins used to it find their way): hits per regex, date templates, matched/ignored/missed.
 */
import type { CompiledFilter, FilterSpec } from '../filter/compiledFilter.js';
import type { DateDetector } from '../filter/date/index.js';
import type { BufLine, Filter } from '../filter/filter.js';
import type { Failure } from '../filter/types.js';

export interface SummaryOptions {
  readonly maxPrint: number;
  readonly printAllMatched: boolean;
  readonly printAllMissed: boolean;
  readonly printAllIgnored: boolean;
  readonly printNoMissed: boolean;
  readonly printNoIgnored: boolean;
  readonly verbose: number;
}

interface Hit {
  readonly id: string;
  readonly time: number | null;
  readonly multiple: boolean;
}

export class RegexStats {
  readonly headerLines: string[] = [];
  tested = 0;
  matched = 0;
  ignored = 0;
  missed = 0;
  prefMatched = 0;
  readonly failHits: number[];
  readonly failIds: Hit[][];
  readonly ignoreHits: number[];
  readonly matchedLines: string[] = [];
  readonly missedLines: { line: string; key: string }[] = [];
  readonly ignoredLines: string[] = [];
  private lineIgnored = false;
  private prevBuffer: readonly BufLine[] = [];

  constructor(readonly def: CompiledFilter, readonly dates: DateDetector, readonly opts: SummaryOptions) {
    this.failHits = def.failRegex.map(() => 0);
    this.failIds = def.failRegex.map(() => []);
    this.ignoreHits = def.ignoreRegex.map(() => 0);
  }

  header(filterArg: string, description: string, logArg: string, spec: FilterSpec): void {
    const h = this.headerLines;
    h.push(description);
    if (spec.maxlines !== undefined && spec.maxlines > 1) h.push(`Use         maxlines : ${spec.maxlines}`);
    h.push(`Use      datepattern : ${spec.datepattern ?? 'Default Detectors'}`);
    h.push(logArg.includes('\n') || !/[/.]/.test(logArg) && logArg.includes(' ')
      ? `Use      single line : ${logArg}` : `Use         log file : ${logArg}`);
    h.push('Use         encoding : UTF-8');
    void filterArg;
  }

  ignoreHit(i: number): void {
    this.ignoreHits[i] = (this.ignoreHits[i] ?? 0) + 1;
    this.lineIgnored = true;
  }

  /** Called after the filter processed a line. */
  line(filter: Filter, line: string, _lineNo: number, found: readonly Failure[]): void {
    let ignored = this.lineIgnored;
    this.lineIgnored = false;
    let real = 0;
    for (let k = 0; k < found.length; k++) {
      const f = found[k]!;
      this.failHits[f.regexIndex]!++;
      if (this.opts.verbose > 0) this.failIds[f.regexIndex]!.push({ id: f.id, time: f.time, multiple: k > 0 });
      if (f.data['nofail']) ignored = true;
      else real++;
    }
    if (filter.prefMatched) this.prefMatched++;
    const maxlines = filter.def.maxlines;
    if (maxlines > 1) {
      // lines of the buffer consumed by this match count as matched, no longer missed
      const before = this.prevBuffer;
      const full = before.length >= maxlines;
      const now = filter.buffered;
      for (let i = full ? 1 : 0; i < before.length; i++) {
        const b = before[i]!;
        if (now.some((x) => x.pre === b.pre && x.date === b.date && x.post === b.post)) continue;
        const key = b.pre + b.date + b.post;
        const j = this.missedLines.findIndex((m) => m.key === key);
        if (j >= 0) this.missedLines.splice(j, 1);
        if (this.opts.printAllMatched) this.matchedLines.push(key);
        this.matched++;
        this.missed--;
      }
      this.prevBuffer = now.slice();
    }
    if (ignored) {
      this.ignored++;
      if (!this.opts.printNoIgnored && (this.opts.printAllIgnored || this.ignored <= this.opts.maxPrint + 1)) this.ignoredLines.push(line);
    } else if (real > 0) {
      this.matched++;
      if (this.opts.printAllMatched) this.matchedLines.push(line);
    } else {
      this.missed++;
      if (!this.opts.printNoMissed && (this.opts.printAllMissed || this.missed <= this.opts.maxPrint + 1)) this.missedLines.push({ line, key: line });
    }
    this.tested++;
  }
}

function list(lines: readonly string[], header?: string): string {
  if (lines.length === 0) return '';
  return (header !== undefined ? `|- ${header}\n` : '') + '|  ' + lines.join('\n|  ') + '\n`-\n';
}

function localTime(t: number | null): string {
  if (t === null) return 'None';
  const d = new Date(t * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${mons[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

export function printSummary(s: RegexStats, seconds: number, write: (text: string) => void): void {
  const v = s.opts.verbose;
  let o = '\nRunning tests\n=============\n\n' + s.headerLines.join('\n') + '\n\n\nResults\n=======\n';
  const pre = s.def.prefRegex;
  if (pre !== null) o += `\nPrefregex: ${s.prefMatched} total\n` + list([pre.expanded]);
  const regexes = (title: string, res: readonly { configured: string }[], hits: readonly number[], ids?: readonly Hit[][]): void => {
    let total = 0;
    const out: string[] = [];
    res.forEach((r, i) => {
      const n = hits[i] ?? 0;
      total += n;
      if (n > 0 || v > 0) out.push(`${String(i + 1).padStart(2)}) [${n}] ${r.configured}`);
      if (v > 0 && ids !== undefined) for (const h of ids[i] ?? []) out.push(`    ${h.id}  ${localTime(h.time)}${h.multiple ? ' (multiple regex matched)' : ''}`);
    });
    o += `\n${title}: ${total} total\n` + list(out, ' #) [# of hits] regular expression');
  };
  regexes('Failregex', s.def.failRegex, s.failHits, s.failIds);
  regexes('Ignoreregex', s.def.ignoreRegex, s.ignoreHits);
  const dt: string[] = [];
  for (const t of s.dates.stats) if (v > 0 || t.hits > 0) dt.push(`[${t.hits}] ${t.name}`);
  o += '\nDate template hits:\n' + list(dt, '[# of hits] date format');
  o += `\nLines: ${s.tested} lines, ${s.ignored} ignored, ${s.matched} matched, ${s.missed} missed\n`;
  o += `[processed in ${seconds.toFixed(2)} sec]\n\n`;
  const lines = (kind: 'matched' | 'missed' | 'ignored', count: number, l: readonly string[], all: boolean, no: boolean): void => {
    if (count === 0 || no) return;
    const title = `${kind[0]!.toUpperCase()}${kind.slice(1)} line(s):`;
    if (kind === 'matched' && !all) return;
    if (count < s.opts.maxPrint || all) o += list(l.map((x) => x.trimEnd()), title);
    else o += `${title} too many to print.  Use --print-all-${kind} to print all ${count} lines\n`;
  };
  lines('ignored', s.ignored, s.ignoredLines, s.opts.printAllIgnored, s.opts.printNoIgnored);
  lines('missed', s.missed, s.missedLines.map((m) => m.line), s.opts.printAllMissed, s.opts.printNoMissed);
  lines('matched', s.matched, s.matchedLines, s.opts.printAllMatched, false);
  write(o);
}
