/**
 * Feeds decoded log text to a Filter line by line: splits lines, numbers them, strips line
 * terminators, caps hostile lengths, tells the filter when a whole piece is pure ASCII — and
 * makes sure no single line can stall the loop.
 *
 * Some regexes backtrack exponentially on crafted input (fail2ban's own sshd rfc5424 prefix
 * takes minutes on a line of a few hundred bytes, in Python and in V8 alike). Processing runs
 * under a watchdog (node's vm timeout, which interrupts even a running regex): when it fires,
 * the line being processed is dropped and reported, and processing resumes with the next line.
 */
import vm from 'node:vm';
import type { Filter } from './filter.js';
import type { Failure } from './types.js';

export interface FeedOptions {
  /** fail2ban-regex skips lines starting with "#" and empty lines. */
  readonly skipComments?: boolean;
  /** Longer lines are cut to this many characters (default 16 KiB). */
  readonly maxLineLength?: number;
  /** Per-line results (statistics). */
  readonly onLine?: (line: string, lineNo: number, failures: readonly Failure[]) => void;
  /** Failures as they are found. */
  readonly onFailures?: (failures: readonly Failure[], line: string) => void;
  /** A line was longer than maxLineLength and was cut. */
  readonly onLongLine?: (lineNo: number, length: number) => void;
  /**
   * Milliseconds a line may take (default 500; 0 = no watchdog). Lines are processed in runs of
   * up to 16384 under one watchdog; when it fires, the line being processed is dropped and
   * reported through onStall (ordinary lines take microseconds, so it is the culprit).
   */
  readonly lineTimeout?: number;
  readonly onStall?: (lineNo: number, line: string) => void;
}

export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024;
export const DEFAULT_LINE_TIMEOUT = 500;
/** Lines per watchdog run: starting the watchdog costs about 0.1 ms. */
const RUN_LINES = 16384;
const NON_ASCII = /[^\x00-\x7f]/;
const RUN = new vm.Script('feeder.drain()');


export class LineFeeder {
  /** Number of the last line read (1-based). */
  lineNo = 0;
  /** Lines that reached the filter (not comments). */
  processed = 0;
  /** Lines dropped because they took too long. */
  stalled = 0;
  private carry = '';
  private carryAscii = true;
  /** Date of the journal entry being processed. */
  private journal: { time: number; text: string } | undefined = undefined;
  private overflow = false;
  private readonly filter: Filter;
  private readonly skipComments: boolean;
  private readonly maxLen: number;
  private readonly onLine: FeedOptions['onLine'];
  private readonly onFailures: FeedOptions['onFailures'];
  private readonly onLongLine: FeedOptions['onLongLine'];
  private readonly onStall: FeedOptions['onStall'];
  private readonly timeout: number;
  private readonly context: vm.Context | null;
  // The text being worked through: lines of text[pos, to), all ending with "\n".
  private text = '';
  private pos = 0;
  private to = 0;
  private ascii = true;
  /** Start and end ("\n") of the line the filter is working on, -1 when none. */
  private lineStart = -1;
  private lineEnd = -1;

  constructor(filter: Filter, opts: FeedOptions = {}) {
    this.filter = filter;
    this.skipComments = opts.skipComments ?? false;
    this.maxLen = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.onLine = opts.onLine;
    this.onFailures = opts.onFailures;
    this.onLongLine = opts.onLongLine;
    this.onStall = opts.onStall;
    this.timeout = opts.lineTimeout ?? DEFAULT_LINE_TIMEOUT;
    this.context = this.timeout > 0 ? vm.createContext({ feeder: this }) : null;
  }

  /**
   * Feed a piece of text; an incomplete last line waits for the next piece or end().
   * `ascii`: the caller knows whether the piece is pure ASCII (saves a scan).
   */
  push(piece: string, ascii?: boolean): void {
    this.journal = undefined;
    const pieceAscii = ascii ?? !NON_ASCII.test(piece);
    let start = 0;
    if (this.overflow) {
      // inside an over-long line: drop its rest, then handle the part kept
      const nl = piece.indexOf('\n');
      if (nl === -1) return;
      this.overflow = false;
      const kept = this.carry + '\n';
      this.carry = '';
      this.work(kept, 0, kept.length, this.carryAscii);
      start = nl + 1;
    }
    if (this.carry !== '') {
      // the line begun in the last piece: complete it on its own (no copy of the whole piece)
      const nl = piece.indexOf('\n', start);
      if (nl === -1) {
        this.keep(this.carry + piece.slice(start), this.carryAscii && pieceAscii);
        return;
      }
      const joined = this.carry + piece.slice(start, nl + 1);
      const joinedAscii = this.carryAscii && pieceAscii;
      this.carry = '';
      this.work(joined, 0, joined.length, joinedAscii);
      start = nl + 1;
    }
    const last = piece.lastIndexOf('\n');
    if (last < start) {
      this.keep(piece.slice(start), pieceAscii);
      return;
    }
    this.work(piece, start, last + 1, pieceAscii);
    if (last + 1 < piece.length) this.keep(piece.slice(last + 1), pieceAscii);
  }

  /** The text the line being processed comes from, and where in it the line starts. */
  get currentText(): string {
    return this.text;
  }
  get currentStart(): number {
    return this.lineStart;
  }

  /** Flush the last line even if it has no line terminator. */
  end(): void {
    this.overflow = false;
    if (this.carry !== '') {
      const t = this.carry + '\n';
      this.carry = '';
      this.work(t, 0, t.length, this.carryAscii);
    }
  }

  /**
   * One journal entry (one line, ending with "\n"): its date comes from the journal, not from
   * the text.
   */
  pushJournal(line: string, journal: { time: number; text: string }, ascii?: boolean): void {
    this.journal = journal;
    try {
      this.work(line, 0, line.length, ascii ?? !NON_ASCII.test(line));
    } finally {
      this.journal = undefined;
    }
  }

  /** Hold an incomplete line; one that never ends must not grow without bound. */
  private keep(text: string, ascii: boolean): void {
    this.carry = text;
    this.carryAscii = ascii || !NON_ASCII.test(text);
    if (text.length > this.maxLen) {
      this.onLongLine?.(this.lineNo + 1, text.length);
      this.carry = text.slice(0, this.maxLen);
      this.overflow = true;
    }
  }

  /** Process the lines of t[from, to) (which ends with "\n"), under the watchdog. */
  private work(t: string, from: number, to: number, ascii: boolean): void {
    this.text = t;
    this.pos = from;
    this.to = to;
    this.ascii = ascii;
    if (this.context === null) {
      this.drain();
      return;
    }
    while (this.pos < this.to) {
      try {
        RUN.runInContext(this.context, { timeout: this.timeout });
      } catch (e) {
        if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT' || this.lineStart < 0) throw e;
        this.dropCurrentLine();
      }
    }
    this.filter.asciiHint = false;
  }

  private dropCurrentLine(): void {
    const lineNo = this.lineNo;
    const line = this.text.slice(this.lineStart, this.lineEnd);
    this.pos = this.lineEnd + 1;
    this.lineStart = this.lineEnd = -1;
    this.stalled++;
    this.filter.forget(lineNo);
    this.onStall?.(lineNo, line);
  }

  /**
   * Process lines from pos on (up to RUN_LINES of them under the watchdog, all without it).
   * Called under the watchdog, it may be interrupted anywhere.
   */
  drain(): void {
    const t = this.text;
    // every line of an ASCII piece is ASCII: the filter need not look at each
    this.filter.asciiHint = this.ascii;
    let budget = this.context === null ? Infinity : RUN_LINES;
    for (let nl = t.indexOf('\n', this.pos); nl !== -1 && nl < this.to; nl = t.indexOf('\n', this.pos)) {
      this.lineStart = this.pos;
      this.lineEnd = nl;
      this.line(t, this.pos, nl);
      this.lineStart = this.lineEnd = -1;
      this.pos = nl + 1;
      if (--budget === 0) return;
    }
    this.pos = this.to;
  }

  /** One line t[from, to) (to = index of its "\n"). */
  private line(t: string, from: number, to: number): void {
    const lineNo = ++this.lineNo;
    let end = to;
    while (end > from && (t.charCodeAt(end - 1) === 13 || t.charCodeAt(end - 1) === 10)) end--;
    if (this.skipComments && (end === from || t.charCodeAt(from) === 35 /* # */)) return;
    if (end - from > this.maxLen) {
      this.onLongLine?.(lineNo, end - from);
      end = from + this.maxLen;
    }
    this.processed++;
    // the line with its "\n" as one slice: the regexes need that text, and a slice is no copy
    const found = this.journal !== undefined ? this.filter.processLine(t.slice(from, end), lineNo, this.journal)
      : end === to ? this.filter.processAt(t, from, to, lineNo) : this.filter.processLine(t.slice(from, end), lineNo);
    const line = this.onLine !== undefined || found.length > 0 ? t.slice(from, end) : '';
    if (this.onLine !== undefined) this.onLine(line, lineNo, found);
    if (found.length > 0) this.onFailures?.(found, line);
  }
}
