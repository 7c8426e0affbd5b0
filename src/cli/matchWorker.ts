/**
 * The worker of MatchPipeline: runs the filter's regexes on the candidate lines it is sent,
 * in order, and writes their failures as JSON lines straight to stdout (fd 1).
 */
import { parentPort } from 'node:worker_threads';
import { writeAllSync, writeSome } from '../util/writeAll.js';
import vm from 'node:vm';
import { CompiledFilter } from '../filter/compiledFilter.js';
import { Filter, type BufLine } from '../filter/filter.js';
import type { DateDetector } from '../filter/date/index.js';
import { LogjailError } from '../errors.js';
import { failureJson, writeFailureJson } from './regexJson.js';
import type { Failure } from '../filter/types.js';
import { FLAG_ASCII, FLAG_NL, FLAG_NODATE, REC, R_DATE, R_FLAGS, R_LEN, R_LINENO, R_SPAN, R_START, R_TEXT, type Batch, type MatchWorkerData } from './regexPipeline.js';


/** Node's Buffer has an internal latin1Slice(start, end): text from bytes with no view object per line. */
interface Latin1Buffer extends Buffer { latin1Slice(start: number, end: number): string }
const hasLatin1Slice = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';

/** Bytes as latin1 text (they are pure ASCII). */
function latin1(bytes: Buffer, from: number, to: number): string {
  return hasLatin1Slice ? (bytes as Latin1Buffer).latin1Slice(from, to) : bytes.toString('latin1', from, to);
}
const port = parentPort!;

/** The date detector of a filter that is only ever given dates (matchLine). */
const NO_DATES: DateDetector = {
  find: () => false, start: 0, end: 0, dropLine: false, time: () => null, capture: () => null, timeOf: () => null,
  stats: [], templates: [], none: false,
};

let data: MatchWorkerData;
let filter: Filter;

/** The first message: the filter to run and how. */
function init(d: MatchWorkerData): boolean {
  data = d;
  try {
    const def = new CompiledFilter(data.spec, { useDns: data.useDns, data: data.compiled }).prepare();
    filter = new Filter(def, {
      // dates are found by the other thread: this filter never asks for one (and this thread
      // does not load the date code, a good part of what it would have to load)
      dates: NO_DATES,
      rawHosts: data.rawHosts, checkAllRegex: false, ignorePending: true, checkFindTime: false, keepMatches: false,
      clock: () => data.now, realClock: () => data.now,
    });
    context = data.lineTimeout > 0 ? vm.createContext({ state }) : null;
    return true;
  } catch (e) {
    abandon();
    if (e instanceof LogjailError) {
      port.postMessage({ error: { code: e.code, detail: e.detail, hint: e.hint, place: e.place } });
      // in a worker, this ends the thread (the main thread reports the error)
      process.exit(0);
    }
    throw e;
  }
}

/**
 * Output: JSON lines are written as bytes straight into a buffer (writeFailureJson: no strings
 * made), which goes to stdout when full; a failure with other than plain ASCII text is made as
 * a string and encoded. Inside the watchdog a full buffer is written only as far as stdout takes
 * it without waiting; what does not fit then waits in `spill` for a write outside (a slow reader
 * is not a slow line).
 */
const OUT_SIZE = 1 << 16;
const obuf = Buffer.allocUnsafe(OUT_SIZE) as Utf8Buffer;
/** Node's Buffer has an internal utf8Write(string, offset): Buffer.write without its argument checks. */
interface Utf8Buffer extends Buffer { utf8Write(s: string, offset: number): number }
if (typeof obuf.utf8Write !== 'function') obuf.utf8Write = (s: string, offset: number): number => obuf.write(s, offset, 'utf8');
let opos = 0;
let spill = '';
let failures = 0;
/** The reader of stdout is gone (`| head`): nothing more is worth doing. */
let closed = false;

/** One failure's JSON line into the buffer, or (when the buffer is full) the spill. */
function emitFailure(f: Failure): void {
  if (spill === '') {
    let p = writeFailureJson(f, data.now, obuf, opos);
    // the buffer is full: make room if stdout takes some now, and try once more
    if (p < 0 && opos > OUT_SIZE / 2 && drainSome()) p = writeFailureJson(f, data.now, obuf, opos);
    if (p >= 0) {
      opos = p;
      return;
    }
  }
  commit(failureJson(f, data.now));
}

/** Encode a JSON line into the buffer (or the spill when it is full). */
function commit(s: string): void {
  if (spill === '' && (opos + s.length * 3 <= OUT_SIZE || (drainSome() && s.length * 3 <= OUT_SIZE))) {
    opos += obuf.utf8Write(s, opos);
    return;
  }
  spill += s;
}

/** Write what stdout takes now, without waiting; true when the buffer is empty then. */
function drainSome(): boolean {
  let off = 0;
  try {
    while (off < opos && !closed) {
      const n = writeSome(1, obuf.subarray(0, opos), off);
      if (n === 0) break;
      off += n;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
    closed = true;
  }
  if (closed) off = opos;
  if (off > 0) {
    obuf.copyWithin(0, off, opos);
    opos -= off;
  }
  return opos === 0;
}

/** Write everything, waiting for stdout as long as it takes (never inside the watchdog). */
const flush = (): void => {
  try {
    if (!closed && opos > 0) writeAllSync(1, obuf.subarray(0, opos));
    if (!closed && spill !== '') writeAllSync(1, spill);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
    closed = true;
  }
  opos = 0;
  spill = '';
};

// Work through a batch under the watchdog: a line the regexes spend too long on is dropped.
let batch: Batch | null = null;
/** Buffer views of the batch's shared blocks, made when first needed. */
let blockViews: Buffer[] = [];
let at = 0;
/** Decoded text of block -2 - chunkOf from byte chunkFrom to chunkTo. */
let chunk = '';
let chunkOf = 0;
let chunkFrom = 0;
let chunkTo = 0;
/** Candidates closer than this many bytes are decoded in one call. */
const CHUNK = 4096;

/** Decode the line `at` of the batch (in block -2 - ti) and the candidates following it closely. */
function decodeChunk(b: Batch, at: number, ti: number): void {
  const n = b.nums;
  const bi = -2 - ti;
  let bytes = blockViews[bi];
  if (bytes === undefined) {
    const u = b.blocks[bi]!;
    bytes = blockViews[bi] = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
  const k = at * REC;
  const from = n[k + R_START]!;
  let to = from + n[k + R_LEN]! + ((n[k + R_FLAGS]! & FLAG_NL) !== 0 ? 1 : 0);
  for (let j = at + 1; j < b.count; j++) {
    const kj = j * REC;
    if (n[kj + R_TEXT] !== ti) break;
    const end = n[kj + R_START]! + n[kj + R_LEN]! + ((n[kj + R_FLAGS]! & FLAG_NL) !== 0 ? 1 : 0);
    if (end - from > CHUNK) break;
    to = end;
  }
  chunk = latin1(bytes, from, to);
  chunkOf = ti;
  chunkFrom = from;
  chunkTo = to;
}

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
    if (ti >= 0 || ti <= -2) {
      let text: string, start = n[k + R_START]!;
      const len = n[k + R_LEN]!, span = n[k + R_SPAN]!;
      if (ti >= 0) text = texts[ti]!;
      else {
        // a line of a shared pure-ASCII block: decode it together with the candidates that
        // follow closely (one call for several lines; the bytes between are few)
        if (ti !== chunkOf || start < chunkFrom || start + len + 1 > chunkTo) decodeChunk(b, at, ti);
        text = chunk;
        start -= chunkFrom;
      }
      const ds = Math.floor(span / 65536), de = ds + (span % 65536);
      if ((flags & FLAG_NL) !== 0 && ds === 0) {
        // the regexes search the text after the date with its "\n", a slice of the log text;
        // the other parts only make up matched lines, which nobody reads here
        cur = { pre: '', date: '', post: '', lineNo, nl: text.slice(start + de, start + len + 1), whole: undefined };
      } else {
        const line = text.slice(start, start + len);
        cur = { pre: ds > 0 ? line.slice(0, ds) : '', date: line.slice(ds, de), post: de > 0 ? line.slice(de) : line, lineNo, nl: undefined, whole: line };
      }
    } else {
      const si = n[k + R_START]!;
      const pre = texts[si]!, date = texts[si + 1]!, post = texts[si + 2]!;
      cur = { pre, date, post, lineNo, nl: (flags & FLAG_NL) !== 0 && pre === '' ? post + '\n' : undefined };
    }
    state.lineNo = lineNo;
    const found = filter.matchLine(cur, Number.isNaN(dateVal) ? null : dateVal, (flags & FLAG_NODATE) !== 0, (flags & FLAG_ASCII) !== 0);
    for (let i = 0; i < found.length; i++) {
      const f = found[i]!;
      if (f.data['nofail'] || f.id === '') continue;
      failures++;
      emitFailure(f);
    }
    if (spill !== '') {
      // written outside the watchdog (a slow reader of stdout is not a slow line)
      at++;
      return;
    }
  }
}, lineNo: 0 };
/** The watchdog's context (null: no watchdog), made by init(). */
let context: vm.Context | null = null;
const RUN = new vm.Script('state.run()');

let busy = 0, first = -1, tInit = -1;
const t0 = performance.now();
function work(b: Batch): void {
  const ts = performance.now();
  if (first < 0) first = ts;
  try { work1(b); } finally { busy += performance.now() - ts; }
}
function work1(b: Batch): void {
  batch = b;
  blockViews = [];
  chunkOf = 0;
  chunkFrom = chunkTo = 0;
  at = 0;
  try {
    loop(b);
  } finally {
    // the shared blocks of this batch may be read into again
    blockViews = [];
    batch = null;
    finished();
  }
}

/** The finished-batch count once this thread has stopped: more than any reader will send. */
const ABANDONED = 0x3fffffff;

/** One more batch done with: its shared blocks are free (the reader may be waiting for one). */
function finished(): void {
  Atomics.add(data.control, 0, 1);
  Atomics.notify(data.control, 0);
}

function loop(b: Batch): void {
  while (at < b.count) {
    if (spill !== '') flush();
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

let ready = false;
port.on('message', (m: Batch | { end: true } | { init: MatchWorkerData }) => {
  if ('init' in m) {
    ready = init(m.init);
    tInit = performance.now();
    return;
  }
  if (!ready) return;
  if ('end' in m || closed) {
    if (!('end' in m)) {
      // not worked through, but done with: its blocks are free
      finished();
      return;
    }
    flush();
    if (process.env['LOGJAIL_DEBUG_TIMES']) {
      // in the main thread's time (its clock starts with the process)
      const at = (t: number): string => (t + performance.timeOrigin - Number(process.env['LOGJAIL_DEBUG_T0'] ?? performance.timeOrigin)).toFixed(0);
      process.stderr.write(`worker: loaded ${at(t0)} init-done ${at(tInit)} first ${at(first)} busy ${busy.toFixed(0)} end ${at(performance.now())}\n`);
    }
    port.postMessage({ done: { failures } });
    return;
  }
  try {
    work(m);
  } catch (e) {
    // this thread is going down: the reader must not wait for it to free shared blocks
    abandon();
    throw e;
  }
});

/** No block will be read here any more: all are free (wakes a reader waiting for one). */
function abandon(): void {
  Atomics.store(data.control, 0, ABANDONED);
  Atomics.notify(data.control, 0);
}
