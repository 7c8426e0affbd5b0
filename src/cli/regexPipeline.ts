/**
 * `logjail regex --out json` on two cores: this thread reads the log and finds each line's
 * date (every line: fail2ban's template order depends on all of them) and whether it can fail
 * at all (literal pre-filter); a worker runs the regexes on the lines that can, and writes the
 * JSON. Results are exactly those of the one-thread path: the worker sees the candidate lines
 * in order with the dates this thread worked out, and holds all the matching state.
 *
 *   file ─► [this thread: lines, dates, literals] ─► batches of candidates ─► [worker: regexes,
 *           sessions, failure ids, JSON ─► stdout]
 */
import type { Worker } from 'node:worker_threads';
import { newMatchWorker } from './earlyWorker.js';
import type { BufLine } from '../filter/filter.js';
import type { CompiledFilterData, FilterSpec, UseDns } from '../filter/compiledFilter.js';
import { LogjailError, keyOfCode } from '../errors.js';

export interface MatchWorkerData {
  readonly spec: FilterSpec;
  readonly useDns: UseDns;
  readonly rawHosts: boolean;
  readonly now: number;
  readonly lineTimeout: number;
  /** The filter's regexes analysed and translated by the reading thread (the worker's start is on the critical path). */
  readonly compiled?: CompiledFilterData | undefined;
  /** [0]: batches the worker has finished (it no longer reads their shared blocks). */
  readonly control: Int32Array;
}

/**
 * A batch of candidate lines. The log text they come from is sent whole, once (one copy of a
 * large string is far cheaper than many small ones); a line is an offset and a length in it.
 */
export interface Batch {
  /** Texts the lines are in (a block of the log, a line joined across blocks) and odd parts. */
  readonly texts: string[];
  /** Pure-ASCII blocks of the log shared with this thread (no copy): bytes = characters. */
  readonly blocks: Uint8Array[];
  /** REC numbers per line, see the R_* offsets */
  readonly nums: Float64Array;
  readonly count: number;
}

interface PoolEntry {
  readonly buf: Buffer;
  until: number;
}

export const REC = 7;
/** Shared block buffers going round between reader and worker (1 MiB each). */
const POOL = 32;
/** Initial room, in lines, of a batch (it grows as needed). */
const BATCH = 4096;
/**
 * index in `texts` of the line's text; -1: three strings pre, date, post at R_START in `texts`;
 * <= -2: the shared block -2 - value
 */
export const R_TEXT = 0;
export const R_START = 1;
export const R_LEN = 2;
/** date span in the line: start * 65536 + length */
export const R_SPAN = 3;
export const R_LINENO = 4;
/** epoch seconds, NaN for none */
export const R_DATE = 5;
export const R_FLAGS = 6;
export const FLAG_NODATE = 1;
/** the line is followed by "\n" in its text */
export const FLAG_NL = 2;
/** the line is pure ASCII (the faster ASCII translations of the regexes give Python's results) */
export const FLAG_ASCII = 4;

export class MatchPipeline {
  private readonly worker: Worker;
  private texts: string[] = [];
  private blocks: Uint8Array[] = [];
  private lastText: string | null = null;
  private lastIndex = -1;
  /** The block being read: its text and its shared bytes (when pure ASCII). */
  private blockText: string | null = null;
  private blockBytes: Uint8Array | null = null;
  private blockIndex = -1;
  private nums = new Float64Array(BATCH * REC);
  private count = 0;
  /** Where the line being handed off is: its text and start (the line feeder knows). */
  source: { readonly currentText: string; readonly currentStart: number } | null = null;
  private cancelled = false;
  private readonly done: Promise<{ failures: number }>;
  /** Batches sent so far. */
  private sent = 0;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  /**
   * Shared block buffers, reused once the worker is past the last batch that used them (fresh
   * shared memory costs a page fault every 4 KiB): `until` is the number of finished batches
   * that frees the buffer, Infinity while it is being filled.
   */
  private readonly pool: PoolEntry[] = [];
  /** The pool's buffer the reader is filling now (the last one handed out). */
  private filling: PoolEntry | null = null;
  /** Times the reader waited for the worker to free a buffer, and gave up waiting (debugging). */
  poolWaits = 0;
  poolTimeouts = 0;

  /** `worker`: one started already (earlyWorker.ts), else one is started now. */
  constructor(data: Omit<MatchWorkerData, 'control'>, worker: Worker | null = null) {
    this.worker = worker ?? newMatchWorker();
    this.worker.ref();
    // its first message: what to do
    const init: MatchWorkerData = { ...data, control: this.control };
    this.worker.postMessage({ init });
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { done?: { failures: number }; error?: { code: string; detail: string; hint: string; place: object } }) => {
        if (m.done !== undefined) resolve(m.done);
        if (m.error !== undefined) reject(new LogjailError(keyOfCode(m.error.code), m.error.detail, m.error.place, m.error.hint));
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => { if (code !== 0 && !this.cancelled) reject(new Error(`match worker exited with ${code}`)); });
    });
    // a failure in the worker must not go unhandled while this thread is still reading
    this.done.catch(() => undefined);
  }

  /** A shared buffer for the next block of the log (see readFileText). */
  readonly blockBuffer = (size: number): Buffer => {
    this.release();
    for (;;) {
      const finished = Atomics.load(this.control, 0);
      for (const e of this.pool) {
        if (e.until <= finished && e.buf.length >= size) {
          e.until = Infinity;
          this.filling = e;
          return e.buf;
        }
      }
      if (this.pool.length < POOL) {
        const e = { buf: Buffer.from(new SharedArrayBuffer(size)), until: Infinity };
        this.pool.push(e);
        this.filling = e;
        return e.buf;
      }
      // the worker is far behind: wait for it (memory stays bounded however long the log);
      // a worker that stopped counting without saying so must not hang this thread: then a fresh one
      this.poolWaits++;
      if (Atomics.wait(this.control, 0, finished, 2000) === 'timed-out') {
        this.poolTimeouts++;
        return Buffer.from(new SharedArrayBuffer(size));
      }
    }
  };

  /** The reader is about to hand over this block of the log (bytes: shared, pure ASCII). */
  setBlock(text: string, bytes: Uint8Array | undefined): void {
    this.blockText = bytes === undefined ? null : text;
    this.blockBytes = bytes ?? null;
    this.blockIndex = -1;
  }

  /** Filter handoff: queue one line that may fail. */
  readonly add = (cur: BufLine, date: number | null, noDate: boolean, hasNl: boolean, ascii: boolean): void => {
    if (this.count * REC >= this.nums.length) {
      const bigger = new Float64Array(this.nums.length * 2);
      bigger.set(this.nums);
      this.nums = bigger;
    }
    const k = this.count * REC;
    const n = this.nums;
    let flags = (noDate ? FLAG_NODATE : 0) | (ascii ? FLAG_ASCII : 0);
    const src = this.source;
    if (cur.whole !== undefined && src !== null && src.currentStart >= 0) {
      // the line as read, at `start` in its text; its date is at [pre.length, pre.length + date.length)
      const text = src.currentText;
      if (text === this.blockText && this.blockBytes !== null) {
        if (this.blockIndex < 0) this.blockIndex = this.blocks.push(this.blockBytes) - 1;
        n[k + R_TEXT] = -2 - this.blockIndex;
      } else {
        if (text !== this.lastText) {
          this.lastText = text;
          this.lastIndex = this.texts.push(text) - 1;
        }
        n[k + R_TEXT] = this.lastIndex;
      }
      n[k + R_START] = src.currentStart;
      n[k + R_LEN] = cur.whole.length;
      n[k + R_SPAN] = cur.pre.length * 65536 + cur.date.length;
      if (hasNl) flags |= FLAG_NL;
    } else {
      n[k + R_TEXT] = -1;
      n[k + R_START] = this.texts.push(cur.pre, cur.date, cur.post) - 3;
      if (cur.nl !== undefined) flags |= FLAG_NL;
    }
    n[k + R_LINENO] = cur.lineNo;
    n[k + R_DATE] = date === null ? NaN : date;
    n[k + R_FLAGS] = flags;
    this.count++;
  };

  /**
   * The block being read is done with on this side: its buffer is free once the worker has
   * finished the batch that uses it, or now if none does (no line of it went there, or it was
   * not handed on at all: a block with other than ASCII text is decoded, not shared).
   */
  private release(): void {
    const e = this.filling;
    if (e === null) return;
    const used = this.blockBytes !== null && this.blockBytes.buffer === e.buf.buffer && this.blockIndex >= 0;
    e.until = used ? this.sent + 1 : 0;
    this.filling = null;
  }

  /** Send what is queued (after each block of the log). */
  flush(): void {
    this.release();
    if (this.count === 0) return;
    const batch: Batch = { texts: this.texts, blocks: this.blocks, nums: this.nums, count: this.count };
    this.worker.postMessage(batch, [this.nums.buffer as ArrayBuffer]);
    this.sent++;
    this.texts = [];
    this.blocks = [];
    this.blockIndex = -1;
    this.lastText = null;
    this.nums = new Float64Array(BATCH * REC);
    this.count = 0;
  }

  /** Not needed after all. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.worker.terminate();
  }

  /** No more lines: wait until the worker has written everything. */
  async end(): Promise<{ failures: number }> {
    this.flush();
    this.worker.postMessage({ end: true });
    const r = await this.done;
    this.cancelled = true;
    await this.worker.terminate();
    return r;
  }
}
