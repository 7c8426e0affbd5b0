/**
 * Feeds decoded log text to a Filter line by line: splits lines, numbers them, strips line
 * terminators, caps hostile lengths, tells the filter when a whole piece is pure ASCII.
 */
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
}

export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024;
const NON_ASCII = /[^\x00-\x7f]/;

export class LineFeeder {
  /** Number of the last line read (1-based). */
  lineNo = 0;
  /** Lines that reached the filter (not comments). */
  processed = 0;
  private carry = '';
  private carryAscii = true;
  private overflow = false;
  private readonly filter: Filter;
  private readonly skipComments: boolean;
  private readonly maxLen: number;
  private readonly onLine: FeedOptions['onLine'];
  private readonly onFailures: FeedOptions['onFailures'];
  private readonly onLongLine: FeedOptions['onLongLine'];

  constructor(filter: Filter, opts: FeedOptions = {}) {
    this.filter = filter;
    this.skipComments = opts.skipComments ?? false;
    this.maxLen = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.onLine = opts.onLine;
    this.onFailures = opts.onFailures;
    this.onLongLine = opts.onLongLine;
  }

  /**
   * Feed a piece of text; an incomplete last line waits for the next piece or end().
   * `ascii`: the caller knows whether the piece is pure ASCII (saves a scan).
   */
  push(piece: string, ascii?: boolean): void {
    const pieceAscii = ascii ?? !NON_ASCII.test(piece);
    if (this.overflow) {
      // inside an over-long line: drop its rest, then handle the part kept
      const nl = piece.indexOf('\n');
      if (nl === -1) return;
      this.overflow = false;
      const kept = this.carry + '\n';
      this.carry = '';
      this.process(kept, this.carryAscii);
      piece = piece.slice(nl + 1);
    }
    const textAscii = pieceAscii && (this.carry === '' || this.carryAscii);
    let text = this.carry === '' ? piece : this.carry + piece;
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.carry = text;
      this.carryAscii = textAscii;
      // a line that never ends must not grow without bound
      if (text.length > this.maxLen) {
        this.onLongLine?.(this.lineNo + 1, text.length);
        this.carry = text.slice(0, this.maxLen);
        this.overflow = true;
      }
      return;
    }
    this.carry = last + 1 < text.length ? text.slice(last + 1) : '';
    this.carryAscii = textAscii || (this.carry !== '' && !NON_ASCII.test(this.carry));
    if (last + 1 < text.length) text = text.slice(0, last + 1);
    this.process(text, textAscii);
  }

  private process(text: string, ascii: boolean): void {
    // every line of an ASCII piece is ASCII: the filter need not look at each
    this.filter.asciiHint = ascii;
    try {
      this.scanAll(text);
    } finally {
      this.filter.asciiHint = false;
    }
  }

  /** Flush the last line even if it has no line terminator. */
  end(): void {
    this.overflow = false;
    if (this.carry !== '') {
      const t = this.carry + '\n';
      this.carry = '';
      this.process(t, this.carryAscii);
    }
  }

  private scanAll(t: string): void {
    let pos = 0;
    for (let nl = t.indexOf('\n'); nl !== -1; nl = t.indexOf('\n', pos)) {
      this.line(t, pos, nl);
      pos = nl + 1;
    }
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
    const line = t.slice(from, end);
    this.processed++;
    const found = this.filter.processLine(line, lineNo);
    if (this.onLine !== undefined) this.onLine(line, lineNo, found);
    if (found.length > 0) this.onFailures?.(found, line);
  }
}
