/**
 * Runs annotated sample logs (fail2ban's `# failJSON:` format) through logjail's filter engine
 * under the same conditions as fail2ban's own sample test: time zone CET/CEST, "now" fixed at
 * 2005-08-14 12:00 CEST, raw hosts, every failregex tried, no time window.
 *
 * Annotation format (read by this runner, written in our own words):
 *   # failJSON: {...}        expectations for the next line
 *   # filterOptions: {...} | [{...}, ...]   run the following lines through one filter per option set
 *   # fileOptions: {...}     merged into every later option set of this file
 *   # addFILE: "name"        process another sample file afterwards
 * Keys: "match" (default false), "time" (local time), "host", "attempts" (number of matched
 * lines), any captured group ("user", "users", "dns"...), "constraint" / "test.condition"
 * (tiny expressions on the filter name and options), "desc" (comment).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFilter } from '../../src/config/index.js';
import { CompiledFilter } from '../../src/filter/compiledFilter.js';
import { createDateDetector, type LocalZone } from '../../src/filter/date/index.js';
import { Filter, ipAddr } from '../../src/filter/filter.js';
import type { Failure } from '../../src/filter/types.js';

export const TEST_NOW = 1124013600;
export const TEST_NOW_ISO = '2005-08-14T10:00:00';
export const TEST_TZ = 'CET-01CEST-02,M3.5.0,M10.5.0';

export interface SampleOutcome {
  /** "sample-file:line [filter-variant]" */
  readonly key: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface SampleRun {
  readonly outcomes: SampleOutcome[];
  /** Annotated lines checked (a line counts once per option set it ran with). */
  readonly checked: number;
  /** Distinct annotated lines ("file:line") that were checked at least once. */
  readonly lines: ReadonlySet<string>;
}

type Opts = Record<string, unknown>;

interface Variant {
  readonly name: string;
  readonly filter: Filter;
  readonly def: CompiledFilter;
  readonly used: Set<number>;
  readonly opts: Opts;
}

const DIRECTIVE = /^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$/;

/**
 * The tiny expressions the sample files use: `name == 'x'`, `opts.get('k') != 'v'`,
 * `not opts.get('k')`, `opts.get('k')`.
 */
export function evalCondition(expr: string, name: string, opts: Opts): boolean {
  const term = (t: string): unknown => {
    const g = /^opts\.get\('([\w.-]+)'\)$/.exec(t);
    if (g !== null) return opts[g[1]!];
    if (t === 'name') return name;
    throw new Error(`unsupported sample expression: ${expr}`);
  };
  const e = expr.trim();
  const neg = /^not\s+(.+)$/.exec(e);
  if (neg !== null) return !evalCondition(neg[1]!, name, opts);
  const m = /^(\S+?)\s*(==|!=)\s*'([^']*)'$/.exec(e);
  if (m === null) return Boolean(term(e));
  const eq = term(m[1]!) === m[3];
  return m[2] === '==' ? eq : !eq;
}

function sameHost(f: Failure, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (f.family === null) return f.id === v;
  const other = ipAddr(v, 'unspec');
  return other.family === f.family && other.text === f.id;
}

function sortedJson(v: unknown): string {
  const arr = v instanceof Set ? [...v] : Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.entries(v) : [v];
  return JSON.stringify(arr.map((x) => JSON.stringify(x)).sort());
}

/** Compare a failure with the failJSON expectations; returns a reason when they differ. */
function compare(f: Failure, expect: Opts, zone: LocalZone): string | null {
  for (const [k, v] of Object.entries(expect)) {
    if (k === 'time' || k === 'match' || k === 'desc' || k === 'constraint') continue;
    let fv: unknown = f.data[k];
    if (fv === undefined || fv === null) {
      if (k === 'host') {
        if (!sameHost(f, v)) return `host: got ${f.id}, expected ${JSON.stringify(v)}`;
        continue;
      }
      if (k === 'attempts') fv = f.data.matches.length;
    }
    if (fv instanceof Set || Array.isArray(fv) || (fv !== null && typeof fv === 'object')) {
      if (sortedJson(fv) !== sortedJson(v)) return `${k}: got ${sortedJson(fv)}, expected ${sortedJson(v)}`;
      continue;
    }
    const got = fv === undefined ? null : fv;
    if (got !== v) return `${k}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`;
  }
  const t = expect['time'];
  if (typeof t === 'string') {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$/.exec(t);
    if (m === null) return `bad time in annotation: ${t}`;
    const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
    const expected = zone.fromWall(wall) + (m[7] !== undefined ? Number('0.' + m[7]) : 0);
    if (f.time !== expected) return `time: got ${f.time}, expected ${expected} (${t})`;
  }
  return null;
}

export interface RunOptions {
  /** Configuration directory the filter is read from. */
  readonly configDir: string;
  /** Filter name (filter.d/NAME.conf). */
  readonly name: string;
  /** Folder of the sample logs. */
  readonly logsDir: string;
  /** Local zone of the test (CET/CEST). */
  readonly zone: LocalZone;
}

/** Run one filter's sample file(s) like fail2ban's sample test does. */
export function runSamples(o: RunOptions): SampleRun {
  const outcomes: SampleOutcome[] = [];
  let checked = 0;
  const seen = new Set<string>();
  const variants = new Map<string, Variant>();
  const usedRegexText = new Set<string>();
  const variant = (opts: Opts): Variant => {
    const fltOpts: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts)) if (!k.startsWith('test.')) fltOpts[k] = String(v);
    const vname = typeof opts['test.filter-name'] === 'string' ? o.name + String(opts['test.filter-name'])
      : o.name + (Object.keys(fltOpts).length > 0 ? JSON.stringify(fltOpts) : '');
    const have = variants.get(vname);
    if (have !== undefined) return have;
    const d = readFilter(o.configDir, o.name, fltOpts);
    const def = new CompiledFilter({
      name: o.name, prefregex: d.prefregex, failregex: d.failregex, ignoreregex: d.ignoreregex,
      maxlines: d.maxlines, datepattern: d.datepattern,
    });
    const filter = new Filter(def, {
      dates: createDateDetector({ pattern: d.datepattern, localZone: o.zone, clock: () => TEST_NOW }),
      rawHosts: true, checkAllRegex: true, checkFindTime: false, clock: () => TEST_NOW,
    });
    const v: Variant = { name: vname, filter, def, used: new Set(), opts };
    variants.set(vname, v);
    return v;
  };

  const files = [o.name];
  let common: Opts = {};
  let tests: Variant[] | null = null;
  for (let fi = 0; fi < files.length; fi++) {
    const file = files[fi]!;
    const path = join(o.logsDir, file);
    if (!existsSync(path)) throw new Error(`no sample log for filter ${o.name}: ${path}`);
    const lines = readFileSync(path, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let ignoreBlock = false;
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      let lineNo = i + 1;
      let expect: Opts = {};
      const d = DIRECTIVE.exec(line.replace(/\r$/, ''));
      if (d !== null) {
        const data = JSON.parse(d[2]!) as unknown;
        if (d[1] === 'fileOptions') { common = data as Opts; continue; }
        if (d[1] === 'filterOptions') {
          tests = [];
          ignoreBlock = false;
          for (const fo of Array.isArray(data) ? data as Opts[] : [data as Opts]) {
            const opts = { ...common, ...fo };
            if (typeof opts['test.condition'] === 'string') ignoreBlock = !evalCondition(opts['test.condition'], o.name, opts);
            if (!ignoreBlock) tests.push(variant(opts));
          }
          continue;
        }
        if (d[1] === 'addFILE') { files.push(String(data)); continue; }
        expect = data as Opts;
        i++;
        if (i >= lines.length) break;
        line = lines[i]!;
        lineNo = i + 1;
      } else if (ignoreBlock || line.startsWith('#') || line.trim() === '') {
        continue;
      }
      if (ignoreBlock) continue;
      if (tests === null || tests.length === 0) tests = [variant({})];
      line = line.replace(/[\r\n]+$/, '');
      for (const v of tests) {
        if (typeof expect['constraint'] === 'string' && !evalCondition(expect['constraint'], o.name, v.opts)) continue;
        checked++;
        if (d !== null) seen.add(`${file}:${lineNo}`);
        const key = `${file}:${lineNo} [${v.name}]`;
        let found: readonly Failure[];
        try {
          if (v.opts['logtype'] !== 'journal') found = v.filter.processLine(line, lineNo);
          else {
            const text = typeof v.opts['test.prefix-line'] === 'string' ? v.opts['test.prefix-line'] + line : line;
            found = v.filter.processLine(text, lineNo, { time: TEST_NOW, text: TEST_NOW_ISO });
          }
        } catch (e) {
          outcomes.push({ key, ok: false, reason: `error: ${(e as Error).message}` });
          continue;
        }
        const real: Failure[] = [];
        for (const f of found) {
          if (f.kind === 'pending' || f.data['nofail']) {
            v.used.add(f.regexIndex);
            usedRegexText.add(v.def.failRegex[f.regexIndex]!.configured);
            continue;
          }
          real.push(f);
        }
        const want = expect['match'] === true;
        if (real.length === 0) {
          outcomes.push(want ? { key, ok: false, reason: 'line not matched when it should have' } : { key, ok: true });
          continue;
        }
        if (!want) { outcomes.push({ key, ok: false, reason: `line matched (regex ${real[0]!.regexIndex + 1}) when it should not have` }); continue; }
        if (real.length !== 1) { outcomes.push({ key, ok: false, reason: `several regexes matched: ${real.map((f) => f.regexIndex + 1).join(', ')}` }); continue; }
        const f = real[0]!;
        const why = compare(f, expect, o.zone);
        outcomes.push(why === null ? { key, ok: true } : { key, ok: false, reason: why });
        v.used.add(f.regexIndex);
        usedRegexText.add(v.def.failRegex[f.regexIndex]!.configured);
      }
    }
  }
  for (const v of variants.values()) {
    v.def.failRegex.forEach((r, i) => {
      if (!v.used.has(i) && !usedRegexText.has(r.configured)) {
        outcomes.push({ key: `${o.name} [${v.name}] failregex ${i + 1}`, ok: false, reason: `regex has no samples: ${r.configured}` });
      }
    });
  }
  return { outcomes, checked, lines: seen };
}
