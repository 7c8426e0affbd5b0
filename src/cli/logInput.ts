/**
 * Reading a log for `logjail regex`: a file read in large blocks and decoded as UTF-8
 * (invalid bytes become U+FFFD, as fail2ban's "replace" decoding does), or text given on
 * the command line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAscii } from 'node:buffer';

const BLOCK = 1 << 20;
const NON_ASCII = /[^\x00-\x7f]/;

export interface ReadProgress {
  (bytesRead: number, totalBytes: number): void;
}

/** Gives the buffer the next block is read into (at least `size` bytes). */
export type BlockAllocator = (size: number) => Buffer;

/**
 * Read a file block by block, handing decoded text to `sink`. With `shared`, each block is read
 * into a buffer it gives (shared memory, say), handed on with the text (`bytes`, for pure-ASCII
 * blocks, where a character offset is a byte offset), so that another thread can read lines
 * from it without a copy of the text.
 */
export function readFileText(path: string, sink: (text: string, ascii: boolean, bytes?: Uint8Array) => void,
  progress?: ReadProgress, shared?: BlockAllocator): number {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    let buf = shared !== undefined ? shared(BLOCK) : Buffer.allocUnsafe(BLOCK);
    const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    let read = 0;
    // after a non-ASCII block the decoder may hold the start of a split character
    let dirty = false;
    for (;;) {
      const n = readSync(fd, buf, 0, BLOCK, null);
      if (n === 0) break;
      read += n;
      const view = buf.subarray(0, n);
      // pure ASCII decodes as latin1, which is faster and gives one-byte strings
      const ascii = isAscii(view);
      if (ascii && !dirty) sink(view.toString('latin1'), true, shared !== undefined ? view : undefined);
      else { const t = dec.decode(view, { stream: true }); sink(t, !NON_ASCII.test(t)); }
      dirty = !ascii;
      // the other thread may still read this block: the next one is read elsewhere
      if (shared !== undefined) buf = shared(BLOCK);
      progress?.(read, total);
    }
    const rest = dec.decode();
    if (rest !== '') sink(rest, false);
    return read;
  } finally {
    closeSync(fd);
  }
}

