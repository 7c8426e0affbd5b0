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
import { readFirstLine, sameFirstLine, startsLine, type FirstLine } from './firstLine.js';
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
  private closed = false;

  private constructor(fh: FileHandle, info: PieceInfo, ino: number, dev: number, size: number, limits: ReadLimits, hooks: FollowedHooks) {
    this.fh = fh;
    this.info = info;
    this.ino = ino;
    this.dev = dev;
    this.size = size;
    this.limits = limits;
    this.asm = new LineAssembler(limits.maxLineBytes, {
      piece: (bytes) => {
        const { text, ascii } = hooks.decode(bytes);
        hooks.sink(text, ascii, info);
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

  get pos(): number {
    return this.asm.pos;
  }

  /** Follow from `pos` (a line start) on. */
  seek(pos: number): void {
    this.asm.reset(pos);
  }

  /** Does `pos` lie within the file at the start of a line? */
  async isLineStart(pos: number): Promise<boolean> {
    return pos <= this.size && (await startsLine(this.fh, pos));
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
   * Read what is new. `verify`: check first that the content was not cut or replaced (not
   * needed for a file rotated away: nobody truncates those). Returns how the content changed
   * when it had to start again at 0.
   */
  async read(verify: boolean): Promise<RotationHow | null> {
    if (this.closed) return null;
    const st = await this.fh.stat();
    let reset: RotationHow | null = null;
    if (st.size < this.asm.readPos) reset = 'truncated';
    else if (verify && st.size !== this.size && (await this.changedUnder())) reset = 'replaced';
    this.size = st.size;
    if (reset !== null) {
      this.asm.reset(0);
      this.first = null;
    }
    if (this.first === null && st.size > 0) this.first = await readFirstLine(this.fh, this.limits.maxLineBytes);
    await this.readTo(st.size);
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
    this.unwatch?.();
    this.unwatch = null;
    await this.fh.close();
  }

  /**
   * Was the content replaced while it grew beyond our position between two looks (copytruncate
   * followed by fast writes)? Then the first line differs, or the byte before the position is
   * no longer a line end. (Identical first lines and a "\n" exactly there escape this: logs
   * with dates in every line do not have those.)
   */
  private async changedUnder(): Promise<boolean> {
    if (this.first !== null && !(await sameFirstLine(this.fh, this.first))) return true;
    return !(await startsLine(this.fh, this.asm.pos));
  }

  /** Read blocks until `size` (the file may be growing: the rest is read at the next look). */
  private async readTo(size: number): Promise<void> {
    const block = this.limits.blockSize;
    while (this.asm.readPos < size && !this.closed) {
      const want = Math.min(block, size - this.asm.readPos);
      const { buf, offset } = this.asm.buffer(want);
      const { bytesRead } = await this.fh.read(buf, offset, want, this.asm.readPos);
      // closed meanwhile: nothing more reaches the sink
      if (bytesRead === 0 || this.closed) break;
      this.asm.take(buf, offset + bytesRead);
    }
  }
}
