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
 * Read a file block by block, handing decoded text to `sink`. A block handed on ends with a
 * line (the bytes after its last "\n" start the next block), unless a line is longer than a
 * whole block. With `shared`, each block is read into a buffer it gives (shared memory, say),
 * handed on with the text (`bytes`, for pure-ASCII blocks, where a character offset is a byte
 * offset), so that another thread can read lines from it without a copy of the text.
 */
export function readFileText(path: string, sink: (text: string, ascii: boolean, bytes?: Uint8Array) => void,
  progress?: ReadProgress, shared?: BlockAllocator, blockSize = BLOCK): number {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    let buf = shared !== undefined ? shared(blockSize) : Buffer.allocUnsafe(blockSize);
    const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    let read = 0;
    // after a non-ASCII block the decoder may hold the start of a split character
    let dirty = false;
    /** Bytes at the start of buf carried over from the last block (an unfinished line). */
    let kept = 0;
    for (;;) {
      const n = readSync(fd, buf, kept, blockSize - kept, null);
      const end = kept + n;
      if (end === 0) break;
      read += n;
      // up to the last line end (a "\n" never splits a UTF-8 character); all at the end of the file
      let cut = n === 0 ? end : buf.lastIndexOf(10, end - 1) + 1;
      if (cut === 0) cut = end;
      const view = buf.subarray(0, cut);
      // pure ASCII decodes as latin1, which is faster and gives one-byte strings
      const ascii = isAscii(view);
      if (ascii && !dirty) sink(view.toString('latin1'), true, shared !== undefined ? view : undefined);
      else { const t = dec.decode(view, { stream: true }); sink(t, !NON_ASCII.test(t)); }
      // (a block ending with "\n" leaves the decoder holding nothing)
      dirty = !ascii && buf[cut - 1] !== 10;
      kept = end - cut;
      // the other thread may still read this block: the next one is read elsewhere (perhaps the
      // same buffer again, when it had no use for this one; copy allows the overlap)
      const next = shared !== undefined ? shared(blockSize) : buf;
      if (kept > 0) buf.copy(next, 0, cut, end);
      buf = next;
      progress?.(read, total);
      if (n === 0) break;
    }
    const rest = dec.decode();
    if (rest !== '') sink(rest, false);
    return read;
  } finally {
    closeSync(fd);
  }
}
