/**
 * Turns the bytes of a file, read block by block from some offset, into pieces of complete
 * lines, and knows the file offset just after the last line it handed on (the position to
 * persist). An incomplete last line waits for its end; a line that never ends is capped: only
 * its head is kept (at most `maxLine` bytes), the rest is skipped up to the next "\n", and the
 * head is handed on as one line when that "\n" comes. Memory stays bounded whatever the file holds.
 */
const LF = 10;
const EMPTY = Buffer.alloc(0);

export interface AssemblerHooks {
  /** A piece of complete lines (the view is only valid during the call). */
  piece(bytes: Buffer): void;
  /** A line longer than the cap begins at `offset`; only its head will be handed on. */
  longLine(offset: number, bytesSoFar: number): void;
}

export class LineAssembler {
  /** File offset just after the last complete line handed on. */
  pos = 0;
  /** File offset of the next byte to read. */
  readPos = 0;
  /** The byte at readPos - 1 (a line feed at a line start). */
  lastByte = LF;
  private pending: Buffer = EMPTY;
  /** Head of an over-long line being skipped (null when not inside one). */
  private longHead: Buffer | null = null;
  private readonly maxLine: number;
  private readonly hooks: AssemblerHooks;

  constructor(maxLine: number, hooks: AssemblerHooks) {
    this.maxLine = maxLine;
    this.hooks = hooks;
  }

  /** Start (again) at `pos`, which must be the start of a line. */
  reset(pos: number): void {
    this.pos = this.readPos = pos;
    this.lastByte = LF;
    this.pending = EMPTY;
    this.longHead = null;
  }

  /** Bytes of an incomplete line held back (they are re-read after a restart). */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /**
   * A buffer for the next read of up to `want` bytes: one spare byte, then the held-back bytes,
   * then room for the read (at `offset`), so that a line split between two reads is handed on
   * from one contiguous buffer, and the byte before the read offset can be read again to check
   * it. Read into it at `offset`, then call `take(buf, offset + bytesRead)`.
   */
  buffer(want: number): { buf: Buffer; offset: number } {
    const held = this.pending.length;
    const buf = Buffer.allocUnsafe(1 + held + want);
    if (held > 0) this.pending.copy(buf, 1);
    return { buf, offset: 1 + held };
  }

  /** Consume buf[1, end): the held-back bytes followed by what was just read (see buffer()). */
  take(buf: Buffer, end: number): void {
    const len = end - 1;
    const fresh = len - this.pending.length;
    this.readPos += fresh;
    // file offset of data[0]
    const base = this.readPos - len;
    let start = 0;
    const data = buf.subarray(1, end);
    if (len > 0) this.lastByte = data[len - 1]!;
    if (this.longHead !== null) {
      const nl = data.indexOf(LF);
      if (nl === -1) {
        this.pending = EMPTY;
        return;
      }
      this.deliverLong();
      start = nl + 1;
      this.pos = base + start;
    }
    const last = data.lastIndexOf(LF);
    if (last >= start) {
      this.hooks.piece(data.subarray(start, last + 1));
      this.pos = base + last + 1;
      start = last + 1;
    }
    const rest = len - start;
    if (rest > this.maxLine) {
      this.hooks.longLine(base + start, rest);
      this.longHead = Buffer.from(data.subarray(start, start + headLength(data, start, this.maxLine)));
      this.pending = EMPTY;
    } else {
      // a copy: the read buffer may be large, the held-back line is small
      this.pending = rest === 0 ? EMPTY : Buffer.from(data.subarray(start, len));
    }
  }

  /**
   * The file will not grow any more (it was rotated away): hand on the incomplete last line,
   * if any, as a line of its own.
   */
  finish(): void {
    if (this.longHead !== null) this.deliverLong();
    else if (this.pending.length > 0) {
      const line = Buffer.allocUnsafe(this.pending.length + 1);
      this.pending.copy(line, 0);
      line[line.length - 1] = LF;
      this.pending = EMPTY;
      this.hooks.piece(line);
    }
    this.pos = this.readPos;
  }

  private deliverLong(): void {
    const head = this.longHead!;
    this.longHead = null;
    const line = Buffer.allocUnsafe(head.length + 1);
    head.copy(line, 0);
    line[head.length] = LF;
    this.hooks.piece(line);
  }
}

/** At most `max` bytes from `start`, cut before a UTF-8 character rather than inside one. */
function headLength(data: Buffer, start: number, max: number): number {
  let n = max;
  // a continuation byte (10xxxxxx) at the cut means a character straddles it
  for (let k = 0; k < 3 && n > 0 && ((data[start + n] ?? 0) & 0xc0) === 0x80; k++) n--;
  return n;
}
