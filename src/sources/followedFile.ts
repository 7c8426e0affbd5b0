/**
 * One open log file (one inode): reads what was appended since the last look, in blocks, and
 * hands complete lines on. It notices when its content was cut or replaced under it
 * (copytruncate: the size fell below the position, or the first line / the line end before the
 * position changed) and then starts again at 0.
 *
 * The descriptor stays open while the file is followed, also after the file was renamed or
 * deleted: that is how the tail of a rotated file is still read, and it keeps the inode number
 * from being reused while we compare it.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { LineAssembler } from './lineAssembler.js';
import type { PieceDecoder } from './decode.js';
import { firstLineIn, readFirstLine, sameFirstLine, startsLine, type FirstLine } from './firstLine.js';
import type { PieceInfo, RotationHow, Sink } from './types.js';

export interface ReadLimits {
  readonly blockSize: number;
  readonly maxLineBytes: number;
}

export interface FollowedHooks {
  readonly sink: Sink;
  readonly decode: PieceDecoder;
  readonly longLine: (offset: number, bytes: number) => void;
}

const LF = 10;

export class FollowedFile {
  readonly info: PieceInfo;
  readonly ino: number;
  readonly dev: number;
  /** Size at the last look. */
  size: number;
  first: FirstLine | null = null;
  /** Stop watching this inode (set by the owner). */
  unwatch: (() => void) | null = null;
  private readonly fh: FileHandle;
  private readonly asm: LineAssembler;
  private readonly limits: ReadLimits;
  private readonly sink: Sink;
  private closed = false;
  /** Pieces read but not yet handed on (see hold()), and the position before them. */
  private held: { text: string; ascii: boolean }[] | null = null;
  private heldPos = 0;

  private constructor(fh: FileHandle, info: PieceInfo, ino: number, dev: number, size: number, limits: ReadLimits, hooks: FollowedHooks) {
    this.fh = fh;
    this.info = info;
    this.ino = ino;
    this.dev = dev;
    this.size = size;
    this.limits = limits;
    this.sink = hooks.sink;
    this.asm = new LineAssembler(limits.maxLineBytes, {
      piece: (bytes) => {
        const { text, ascii } = hooks.decode(bytes);
        if (this.held !== null) this.held.push({ text, ascii });
        else hooks.sink(text, ascii, info);
      },
      longLine: hooks.longLine,
    });
  }

  /**
   * Open `path` for reading. Non-blocking open: a FIFO put in place of the log must not hold
   * a thread of the pool until some writer appears. Only regular files are followed.
   */
  static async open(path: string, limits: ReadLimits, hooks: FollowedHooks, info: PieceInfo = { path }): Promise<FollowedFile> {
    const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
      const f = new FollowedFile(fh, info, st.ino, st.dev, st.size, limits, hooks);
      f.first = await readFirstLine(fh, limits.maxLineBytes);
      return f;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Offset after the last line handed on. */
  get pos(): number {
    return this.held !== null ? this.heldPos : this.asm.pos;
  }

  /**
   * Keep what is read from now on until release(). While a file rotated away is still being
   * written, the new file's lines wait until the old one has been read once more: a writer that
   * switches files then cannot get a line of the new file ahead of its last lines in the old.
   */
  hold(): void {
    if (this.held !== null) return;
    this.held = [];
    this.heldPos = this.asm.pos;
  }

  get holding(): boolean {
    return this.held !== null;
  }

  release(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    if (this.closed) return;
    for (const h of held) this.sink(h.text, h.ascii, this.info);
  }

  /** Follow from `pos` (a line start) on. */
  seek(pos: number): void {
    this.asm.reset(pos);
  }

  /** Does `pos` lie within the file at the start of a line? */
  async isLineStart(pos: number): Promise<boolean> {
    return pos <= this.size && (await startsLine(this.fh, pos));
  }

  /** Up to `len` bytes at `pos` (for searching the file, not for reading lines). */
  async bytesAt(pos: number, len: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await this.fh.read(buf, 0, len, pos);
    return buf.subarray(0, bytesRead);
  }

  /**
   * Where `tail` starts: after the last complete line (a line being written is read when it
   * ends). When no "\n" lies within the last maxLineBytes, at the end.
   */
  async lastLineEnd(): Promise<number> {
    const size = this.size;
    const n = Math.min(size, this.limits.maxLineBytes);
    if (n === 0) return 0;
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.fh.read(buf, 0, n, size - n);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(LF);
    return nl === -1 ? size : size - n + nl + 1;
  }

  /**
   * Read what is new. `verify`: make sure the bytes read still belong to the content followed
   * (not needed for a file rotated away: nobody truncates those). Returns how the content
   * changed when it had to start again at 0.
   */
  async read(verify: boolean): Promise<RotationHow | null> {
    if (this.closed) return null;
    let st = await this.fh.stat();
    let reset: RotationHow | null = null;
    if (st.size < this.asm.readPos) {
      reset = 'truncated';
      this.restart();
      // the size seen before belongs to the old content
      st = await this.fh.stat();
    }
    this.size = st.size;
    // only what is there now: a look never chases a writer
    if ((await this.readTo(st.size, verify)) === 'replaced') {
      reset = 'replaced';
      this.restart();
      this.size = (await this.fh.stat()).size;
      await this.readTo(this.size, verify);
    }
    return reset;
  }

  /** Has the file been deleted (no name refers to it any more)? */
  async deleted(): Promise<boolean> {
    return (await this.fh.stat()).nlink === 0;
  }

  /** Hand on the incomplete last line: the file will not grow any more. */
  finish(): void {
    this.asm.finish();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // held pieces are dropped: the position still points before them
    if (this.held !== null) this.asm.reset(this.heldPos);
    this.held = null;
    this.unwatch?.();
    this.unwatch = null;
    await this.fh.close();
  }

  private restart(): void {
    this.asm.reset(0);
    this.first = null;
  }

  /**
   * Read blocks until `size` (the file may be growing: the rest is read at the next look).
   *
   * With `verify`, each block is checked before its lines are handed on: after copytruncate the
   * file can regrow past our position between two looks (or during one), and bytes read at the
   * old offsets then come from the middle of new content. Two checks catch that: the byte before
   * the read offset, read in the same call, must be what we had there (a "\n", or the last byte
   * of the line held back), and the first line must still be the one hashed. On failure nothing
   * of the block is handed on and 'replaced' is returned. (Identical first lines and a "\n" at
   * exactly that offset escape it: logs with a date in every line do not have those.)
   */
  private async readTo(size: number, verify: boolean): Promise<'replaced' | null> {
    const block = this.limits.blockSize;
    while (this.asm.readPos < size && !this.closed) {
      const at = this.asm.readPos;
      const want = Math.min(block, size - at);
      const { buf, offset } = this.asm.buffer(want);
      // buf[offset - 1] is a spare byte or the last byte held back: room to read the byte before
      const guard = verify && at > 0 ? 1 : 0;
      const expected = this.asm.lastByte;
      const { bytesRead } = await this.fh.read(buf, offset - guard, want + guard, at - guard);
      // closed meanwhile: nothing more reaches the sink
      if (this.closed) return null;
      const n = bytesRead - guard;
      if (n <= 0) break;
      if (guard === 1 && buf[offset - 1] !== expected) return 'replaced';
      if (this.first === null) {
        this.first = at === 0 && this.asm.pendingBytes === 0 ? firstLineIn(buf.subarray(offset, offset + n), this.limits.maxLineBytes) : await readFirstLine(this.fh, this.limits.maxLineBytes);
      } else if (verify && at > 0 && !(await sameFirstLine(this.fh, this.first))) return 'replaced';
      if (this.closed) return null;
      this.asm.take(buf, offset + n);
    }
    return null;
  }
}
