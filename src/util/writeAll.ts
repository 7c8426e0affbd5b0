/**
 * Synchronous writes that survive a non-blocking descriptor. Node makes stdout/stderr pipes
 * and sockets non-blocking; writeSync on them fails with EAGAIN whenever the reader is slower
 * than the writer (`logjail regex --out json LOG sshd | less`). Such a write must wait, or be
 * kept for later, and go on: never lose output silently or crash.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Write what the descriptor takes now: bytes written (0 when it would block). Other errors are thrown. */
export function writeSome(fd: number, buf: Uint8Array, off = 0): number {
  try {
    return writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw e;
  }
}

/**
 * Write all of `data` to `fd`, waiting while the reader is behind, for at most `patienceMs` in
 * all (Infinity: until it takes it). Returns the bytes not written (0: all). Errors other than
 * EAGAIN (EPIPE: the reader is gone) are thrown. Call it only where waiting is harmless: not
 * inside a watchdog-timed run.
 */
export function writeAllSync(fd: number, data: string | Uint8Array, patienceMs = Infinity): number {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  let waited = 0;
  let wait = 1;
  while (off < buf.length) {
    const n = writeSome(fd, buf, off);
    if (n > 0) {
      off += n;
      wait = 1;
      continue;
    }
    if (waited >= patienceMs) break;
    // a sleep that needs no event loop (the caller is in a synchronous loop)
    Atomics.wait(pause, 0, 0, wait);
    waited += wait;
    wait = Math.min(wait * 2, 50);
  }
  return buf.length - off;
}
