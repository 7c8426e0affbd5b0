/**
 * `logjail regex [options] LOG FILTER [IGNOREREGEX]` — what fail2ban-regex does: run a filter
 * over a log file (or a single line) and report what matched, with statistics or as JSON.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { EXIT, LogjailError } from '../errors.js';
import { CompiledFilter, type FilterSpec, type UseDns } from '../filter/compiledFilter.js';
import { Filter } from '../filter/filter.js';
import { DEFAULT_LINE_TIMEOUT, LineFeeder } from '../filter/lineFeeder.js';
import type { Failure } from '../filter/types.js';
import { createDateDetector } from '../filter/date/index.js';
import { readFileText } from './logInput.js';
import { resolveFilterArg, resolveIgnoreArg, defaultConfigDir } from './filterArg.js';
import { JsonOut, failureJson } from './regexJson.js';
import { MatchPipeline } from './regexPipeline.js';
import { RegexStats, printSummary } from './regexSummary.js';

const HELP = `usage: logjail regex [options] LOG FILTER [IGNOREREGEX]

Test a filter on a log. LOG is a file or a log line; FILTER is a filter name with options
(sshd[mode=aggressive]), a filter file, or a regular expression; IGNOREREGEX is a regular
expression or a filter file whose ignoreregex is used.

options:
  -c, --config DIR        configuration directory (default: logjail's bundled configuration;
                          /etc/fail2ban works unchanged)
  -L, --maxlines N        multi-line buffer size (overrides the filter)
  -d, --datepattern P     date pattern (overrides the filter)
      --timezone TZ       time zone of dates without one (like logtimezone), also --TZ
  -r, --raw               do not resolve host names (raw ids)
      --usedns MODE       yes | warn | no | raw
      --no-check-all      stop at the first matching failregex
  -o, --out FORMAT        json: one JSON object per failure on stdout, nothing else
      --print-all-matched, --print-all-missed, --print-all-ignored
      --print-no-missed, --print-no-ignored
      --max-line-length N cut longer lines (default 16384)
      --line-timeout MS   skip a line the regexes spend longer on (default 500; 0: never)
      --threads N         1: do everything in one thread (default 2 for --out json)
  -v, --verbose           more detail (repeat for more)
  -h, --help              this text
`;

/**
 * `early`: a match worker started before the modules of this command were loaded (see
 * earlyWorker.ts); it is used if a pipeline is wanted and terminated otherwise.
 */
export async function regexCommand(argv: string[], early: Worker | null = null): Promise<number> {
  const run: RunState = { early, pipeline: null };
  try {
    return await regexRun(argv, run);
  } catch (e) {
    // an error: no worker may outlive the command
    if (run.pipeline !== null) await run.pipeline.cancel();
    throw e;
  } finally {
    // not adopted (an error, or no pipeline after all)
    if (run.early !== null) void run.early.terminate();
  }
}

interface RunState {
  /** the early worker until a pipeline adopts it */
  early: Worker | null;
  pipeline: MatchPipeline | null;
}

async function regexRun(argv: string[], run: RunState): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        maxlines: { type: 'string', short: 'L' },
        datepattern: { type: 'string', short: 'd' },
        timezone: { type: 'string' },
        TZ: { type: 'string' },
        raw: { type: 'boolean', short: 'r' },
        usedns: { type: 'string' },
        'no-check-all': { type: 'boolean' },
        out: { type: 'string', short: 'o' },
        'print-all-matched': { type: 'boolean' },
        'print-all-missed': { type: 'boolean' },
        'print-all-ignored': { type: 'boolean' },
        'print-no-missed': { type: 'boolean' },
        'print-no-ignored': { type: 'boolean' },
        'max-line-length': { type: 'string' },
        'line-timeout': { type: 'string' },
        threads: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new LogjailError('USAGE', (e as Error).message, {}, 'run "logjail regex --help"');
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  const [logArg, filterArg, ignoreArg, ...extra] = parsed.positionals;
  if (logArg === undefined || filterArg === undefined || extra.length > 0) {
    throw new LogjailError('USAGE', 'expected LOG FILTER [IGNOREREGEX]', {}, 'run "logjail regex --help"');
  }
  const out = o.out;
  if (out !== undefined && out !== 'json') {
    throw new LogjailError('USAGE', `unknown --out format "${out}"`, {}, 'use --out json');
  }
  const useDns = parseUseDns(o.usedns);
  const maxLineLength = o['max-line-length'] !== undefined ? positiveInt(o['max-line-length'], '--max-line-length') : undefined;
  const lineTimeout = o['line-timeout'] !== undefined ? positiveInt(o['line-timeout'], '--line-timeout', 0) : undefined;
  const configDir = o.config ?? defaultConfigDir();
  const timezone = o.timezone ?? o.TZ;

  const loaded = resolveFilterArg(filterArg, configDir);
  let spec: FilterSpec = loaded.spec;
  if (ignoreArg !== undefined) spec = { ...spec, ignoreregex: [...(spec.ignoreregex ?? []), ...resolveIgnoreArg(ignoreArg, configDir)] };
  if (o.maxlines !== undefined) spec = { ...spec, maxlines: positiveInt(o.maxlines, '--maxlines') };
  if (o.datepattern !== undefined) spec = { ...spec, datepattern: o.datepattern };

  const started0 = Date.now() / 1000;
  // JSON from a single-line filter: dates here, regexes in a worker (started first: it loads
  // while this thread reads the configuration, then gets the filter's regexes translated)
  const threads = o.threads !== undefined ? positiveInt(o.threads, '--threads') : 2;
  const def = new CompiledFilter(spec, { useDns: useDns ?? loaded.useDns ?? 'warn' });
  // (the regexes are translated here either way: for this thread, or for the worker, whose own
  // start is on the critical path while this thread is ahead)
  def.prepare();
  // (without a literal pre-filter every line would go to the worker: nothing to gain)
  const pipeline = out === 'json' && def.maxlines === 1 && threads > 1 && def.prefilter !== null
    ? new MatchPipeline({ spec, useDns: useDns ?? loaded.useDns ?? 'warn', rawHosts: o.raw ?? false, now: started0,
      lineTimeout: lineTimeout ?? DEFAULT_LINE_TIMEOUT, compiled: def.data() }, run.early)
    : null;
  if (pipeline !== null) {
    run.early = null;
    run.pipeline = pipeline;
  }
  // the detector's clock only ages templates out after minutes: the start time is close enough
  // the built-in templates are known to be good: build them only when tried (a faster start)
  const builtin = spec.datepattern === undefined || /^\s*(?:\{\^LN-BEG\}|\{DEFAULT\})?\s*$/.test(spec.datepattern);
  const dates = createDateDetector({ pattern: spec.datepattern, timezone, context: `filter ${spec.name}`, clock: () => started0, eager: !builtin });
  const stats = out === undefined ? new RegexStats(def, dates, {
    maxPrint: o.maxlines !== undefined ? Number(o.maxlines) : 20,
    printAllMatched: o['print-all-matched'] ?? false,
    printAllMissed: o['print-all-missed'] ?? false,
    printAllIgnored: o['print-all-ignored'] ?? false,
    printNoMissed: o['print-no-missed'] ?? false,
    printNoIgnored: o['print-no-ignored'] ?? false,
    verbose: (o.verbose ?? []).length,
  }) : null;
  const filter = new Filter(def, {
    dates,
    ...(pipeline !== null ? { handoff: pipeline.add } : {}),
    // fail2ban-regex reads the wall clock; a run is short enough for its start time to stand in
    clock: () => started0,
    realClock: () => started0,
    rawHosts: o.raw ?? false,
    checkAllRegex: out === undefined && !(o['no-check-all'] ?? false),
    ignorePending: out !== undefined,
    // the JSON output does not print matched lines
    keepMatches: out === undefined,
    checkFindTime: false,
    lazyDates: stats === null,
    ...(stats !== null ? { onIgnoreRegex: (i: number) => stats.ignoreHit(i) } : {}),
  });
  const json = out === 'json' ? new JsonOut(process.stdout) : null;
  // a reader that stops reading (`| head`) ends the command quietly
  if (out === 'json') process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(EXIT.OK); else throw e; });
  const onFailures = json !== null
    ? (fs: readonly Failure[]): void => { for (const f of fs) if (!f.data['nofail'] && f.id !== '') json.write(failureJson(f, Date.now() / 1000)); }
    : undefined;
  const feeder = new LineFeeder(filter, {
    skipComments: true,
    ...(maxLineLength !== undefined ? { maxLineLength } : {}),
    ...(stats !== null ? { onLine: (line: string, n: number, f: readonly Failure[]) => stats.line(filter, line, n, f) } : {}),
    ...(onFailures !== undefined ? { onFailures } : {}),
    onLongLine: (n, len) => process.stderr.write(`logjail: line ${n} is ${len} characters long; only the first ${maxLineLength ?? 16384} are examined\n`),
    ...(lineTimeout !== undefined ? { lineTimeout } : {}),
    onStall: (n) => {
      const e = new LogjailError('LINE_TIMEOUT', `line ${n} took more than ${lineTimeout ?? DEFAULT_LINE_TIMEOUT} ms and was skipped`);
      process.stderr.write(e.render() + '\n');
    },
  });
  if (stats !== null) stats.header(filterArg, loaded.description, logArg, spec);
  if (pipeline !== null) pipeline.source = feeder;

  const started = process.hrtime.bigint();
  const tReady = performance.now();
  if (isFile(logArg)) {
    const progress = makeProgress();
    let tPush = 0, tFlush = 0;
    readLog(logArg, (t, ascii, bytes) => {
      pipeline?.setBlock(t, bytes);
      const a = performance.now();
      feeder.push(t, ascii);
      const b = performance.now();
      pipeline?.flush();
      tPush += b - a; tFlush += performance.now() - b;
    }, progress, pipeline !== null ? pipeline.blockBuffer : undefined);
    if (process.env['LOGJAIL_DEBUG_TIMES']) process.stderr.write(`main: push ${tPush.toFixed(0)} flush ${tFlush.toFixed(0)} pool-waits ${pipeline?.poolWaits ?? 0} pool-timeouts ${pipeline?.poolTimeouts ?? 0}\n`);
    progress?.(-1, 0);
  } else {
    if (existsSync(logArg)) throw new LogjailError('INPUT_NOT_FOUND', `${logArg} is not a regular file`);
    feeder.push(logArg.endsWith('\n') ? logArg : logArg + '\n');
  }
  feeder.end();
  const tRead = performance.now();
  if (pipeline !== null) await pipeline.end();
  if (process.env['LOGJAIL_DEBUG_TIMES']) process.stderr.write(`main: ready ${tReady.toFixed(0)} read-done ${tRead.toFixed(0)} end ${performance.now().toFixed(0)}\n`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (json !== null) await json.close();
  if (stats !== null) printSummary(stats, seconds, (s) => process.stdout.write(s));
  return EXIT.OK;
}

/** readFileText, with a read error (permissions, I/O) as logjail's error. */
function readLog(path: string, ...rest: Parameters<typeof readFileText> extends [string, ...infer R] ? R : never): void {
  try {
    readFileText(path, ...rest);
  } catch (e) {
    // only the system's errors (they name a syscall); others are not about the file
    if (typeof (e as NodeJS.ErrnoException).syscall !== 'string') throw e;
    throw new LogjailError('INPUT_READ', `${path}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`);
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function parseUseDns(v: string | undefined): UseDns | undefined {
  if (v === undefined) return undefined;
  if (v === 'yes' || v === 'warn' || v === 'no' || v === 'raw') return v;
  throw new LogjailError('USAGE', `--usedns must be yes, warn, no or raw, got "${v}"`);
}

function positiveInt(v: string, what: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new LogjailError('USAGE', `${what} must be an integer of at least ${min}, got "${v}"`);
  return n;
}

/** Progress on a terminal for large files (stderr, redrawn in place). */
function makeProgress(): ((read: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  let shown = false;
  return (read, total) => {
    if (read < 0) {
      if (shown) process.stderr.write('\r\x1b[K');
      return;
    }
    const now = Date.now();
    if (total < (64 << 20) || now - last < 250) return;
    last = now;
    shown = true;
    process.stderr.write(`\r${(read / 1048576).toFixed(0)} / ${(total / 1048576).toFixed(0)} MiB (${((read / total) * 100).toFixed(0)}%)`);
  };
}
