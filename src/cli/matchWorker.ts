/**
 * The worker of MatchPipeline: runs the filter's regexes on the candidate lines it is sent,
 * in order, and writes their failures as JSON lines straight to stdout (fd 1).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import vm from 'node:vm';
import { CompiledFilter } from '../filter/compiledFilter.js';
import { Filter, type BufLine } from '../filter/filter.js';
import { createDateDetector } from '../filter/date/index.js';
import { LogjailError } from '../errors.js';
import { failureJson } from './regexJson.js';
import { FLAG_NL, FLAG_NODATE, REC, R_DATE, R_FLAGS, R_LEN, R_LINENO, R_SPAN, R_START, R_TEXT, type Batch, type MatchWorkerData } from './regexPipeline.js';

const data = workerData as MatchWorkerData;

/** Bytes as latin1 text (they are pure ASCII). */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}
const port = parentPort!;

let filter: Filter;
try {
  const def = new CompiledFilter(data.spec, { useDns: data.useDns }).prepare();
  filter = new Filter(def, {
    // dates are found by the other thread; this detector is never asked
    dates: createDateDetector({ eager: false }),
    rawHosts: data.rawHosts, checkAllRegex: false, ignorePending: true, checkFindTime: false,
    clock: () => data.now, realClock: () => data.now,
  });
} catch (e) {
  if (e instanceof LogjailError) {
    port.postMessage({ error: { code: e.code, detail: e.detail, hint: e.hint, place: e.place } });
    process.exit(0);
  }
  throw e;
}

let out = '';
let failures = 0;
const flush = (): void => {
  if (out !== '') {
    writeSync(1, out);
    out = '';
  }
};

// Work through a batch under the watchdog: a line the regexes spend too long on is dropped.
let batch: Batch | null = null;
let at = 0;
const state = { run: (): void => {
  const b = batch!;
  const texts = b.texts, n = b.nums;
  for (; at < b.count; at++) {
    const k = at * REC;
    const ti = n[k + R_TEXT]!;
    const lineNo = n[k + R_LINENO]!;
    const dateVal = n[k + R_DATE]!;
    const flags = n[k + R_FLAGS]!;
    let cur: BufLine;
    if (ti <= -2) {
      // a line of a shared pure-ASCII block: decode just it (with its "\n")
      const bytes = b.blocks[-2 - ti]!;
      const start = n[k + R_START]!, len = n[k + R_LEN]!, span = n[k + R_SPAN]!;
      const hasNl = (flags & FLAG_NL) !== 0;
      const text = latin1(bytes, start, start + len + (hasNl ? 1 : 0));
      const line = hasNl ? text.slice(0, len) : text;
      const ds = Math.floor(span / 65536), de = ds + (span % 65536);
      const nl = hasNl && ds === 0 ? (de > 0 ? text.slice(de) : text) : undefined;
      cur = { pre: ds > 0 ? line.slice(0, ds) : '', date: line.slice(ds, de), post: de > 0 ? line.slice(de) : line, lineNo, nl, whole: line };
    } else if (ti >= 0) {
      const text = texts[ti]!;
      const start = n[k + R_START]!, len = n[k + R_LEN]!, span = n[k + R_SPAN]!;
      const line = text.slice(start, start + len);
      const ds = Math.floor(span / 65536), de = ds + (span % 65536);
      // with its "\n", the text after the date is a slice of the log text (no copy)
      const nl = (flags & FLAG_NL) !== 0 && ds === 0 ? text.slice(start + de, start + len + 1) : undefined;
      cur = { pre: ds > 0 ? line.slice(0, ds) : '', date: line.slice(ds, de), post: de > 0 ? line.slice(de) : line, lineNo, nl, whole: line };
    } else {
      const si = n[k + R_START]!;
      const pre = texts[si]!, date = texts[si + 1]!, post = texts[si + 2]!;
      cur = { pre, date, post, lineNo, nl: (flags & FLAG_NL) !== 0 && pre === '' ? post + '\n' : undefined };
    }
    state.lineNo = lineNo;
    const found = filter.matchLine(cur, Number.isNaN(dateVal) ? null : dateVal, (flags & FLAG_NODATE) !== 0);
    for (const f of found) {
      if (f.data['nofail'] || f.id === '') continue;
      failures++;
      out += failureJson(f, data.now);
    }
    if (out.length > 1 << 16) flush();
  }
}, lineNo: 0 };
const context = data.lineTimeout > 0 ? vm.createContext({ state }) : null;
const RUN = new vm.Script('state.run()');

function work(b: Batch): void {
  batch = b;
  at = 0;
  while (at < b.count) {
    if (context === null) { state.run(); continue; }
    try {
      RUN.runInContext(context, { timeout: data.lineTimeout });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
      const err = new LogjailError('LINE_TIMEOUT', `line ${state.lineNo} took more than ${data.lineTimeout} ms and was skipped`);
      process.stderr.write(err.render() + '\n');
      filter.forget(state.lineNo);
      at++;
    }
  }
}

port.on('message', (m: Batch | { end: true }) => {
  if ('end' in m) {
    flush();
    port.postMessage({ done: { failures } });
    return;
  }
  work(m);
});
