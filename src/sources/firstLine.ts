/**
 * The identity of a log file's content: a hash of its first line. fail2ban stores SHA-1 (hex)
 * of the first line's bytes, "\n" included (its column is called "firstlinemd5"); the same
 * value here keeps positions comparable with a fail2ban database. A first line longer than the
 * line cap is hashed over its first `maxBytes` bytes only (a hostile file cannot make us read
 * without bound).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export interface FirstLine {
  readonly hash: string;
  /** Bytes hashed (the line with its "\n", or the cap). */
  readonly length: number;
}

const LF = 10;
const FIRST_READ = 4096;

/** Hash of the first line, or null while the file has no complete first line. */
export async function readFirstLine(fh: FileHandle, maxBytes: number): Promise<FirstLine | null> {
  let size = Math.min(FIRST_READ, maxBytes);
  for (;;) {
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    const data = buf.subarray(0, bytesRead);
    const nl = data.indexOf(LF);
    if (nl !== -1) return { hash: sha1(data.subarray(0, nl + 1)), length: nl + 1 };
    if (bytesRead < size) return null;
    if (size >= maxBytes) return { hash: sha1(data), length: size };
    size = Math.min(size * 16, maxBytes);
  }
}

/** The first line in the bytes at the start of a file, or null when they hold no complete one (nor the cap). */
export function firstLineIn(data: Buffer, maxBytes: number): FirstLine | null {
  const nl = data.subarray(0, maxBytes).indexOf(LF);
  if (nl !== -1) return { hash: sha1(data.subarray(0, nl + 1)), length: nl + 1 };
  if (data.length >= maxBytes) return { hash: sha1(data.subarray(0, maxBytes)), length: maxBytes };
  return null;
}

/** Does the file still begin with the line that was hashed? */
export async function sameFirstLine(fh: FileHandle, first: FirstLine): Promise<boolean> {
  const buf = Buffer.allocUnsafe(first.length);
  const { bytesRead } = await fh.read(buf, 0, first.length, 0);
  return bytesRead === first.length && sha1(buf) === first.hash;
}

/** Is `pos` the start of a line (the file start, or just after a "\n")? */
export async function startsLine(fh: FileHandle, pos: number): Promise<boolean> {
  if (pos === 0) return true;
  const b = Buffer.allocUnsafe(1);
  const { bytesRead } = await fh.read(b, 0, 1, pos - 1);
  return bytesRead === 1 && b[0] === LF;
}

export function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}
