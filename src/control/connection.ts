/**
 * One client of the control socket: splits its bytes into request lines and answers them one at
 * a time, in order. Bounded whatever the client does: a line longer than the limit is answered
 * with an error and the connection is closed; a client that sends faster than it reads is paused
 * (no more reading until the answers drain); a client silent for too long is dropped.
 */
import type { Socket } from 'node:net';
import { LogjailError } from '../errors.js';
import { errorLine } from './protocol.js';

export interface ConnectionOptions {
  /** Longest request line in bytes. */
  readonly maxLineBytes: number;
  /** Lines read ahead of the one being answered before reading pauses. */
  readonly maxQueued: number;
  /** Close a connection with nothing to do after this long; 0 never. */
  readonly idleTimeoutMs: number;
}

/** How long a client may keep sending after the server closed its side. */
const HANG_UP_MS = 2000;

/** A line to answer, or the last answer before hanging up. */
type Item = string | { readonly last: string };

export class Connection {
  private readonly partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly queue: Item[] = [];
  private busy = false;
  private paused = false;
  private ending = false;
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly answer: (line: string) => Promise<string>,
    private readonly o: ConnectionOptions,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    // a peer that vanishes mid-answer (EPIPE, ECONNRESET) is no reason to log or to crash
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (o.idleTimeoutMs > 0) {
      socket.setTimeout(o.idleTimeoutMs, () => {
        // a long command (reload) is not idleness; its answer resets the timer
        if (!this.busy) socket.destroy();
      });
    }
  }

  /** Stop reading; answer the request in progress, then close. */
  shutdown(): void {
    if (this.ending) return;
    this.ending = true;
    this.socket.pause();
    this.queue.length = 0;
    if (!this.busy) this.hangUp();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.ending) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      if (this.partialBytes + (nl - start) > this.o.maxLineBytes) return this.tooLong();
      let bytes = chunk.subarray(start, nl);
      if (this.partialBytes > 0) {
        this.partial.push(bytes);
        bytes = Buffer.concat(this.partial, this.partialBytes + bytes.length);
        this.partial.length = 0;
        this.partialBytes = 0;
      }
      start = nl + 1;
      const line = bytes.toString('utf8');
      // blank lines (and a bare "\r") carry no request
      if (line.trim() !== '') this.queue.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (start < chunk.length) {
      if (this.partialBytes + (chunk.length - start) > this.o.maxLineBytes) return this.tooLong();
      this.partial.push(chunk.subarray(start));
      this.partialBytes += chunk.length - start;
    }
    if (this.queue.length >= this.o.maxQueued && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    void this.pump();
  }

  private tooLong(): void {
    this.partial.length = 0;
    this.partialBytes = 0;
    this.ending = true;
    this.socket.pause();
    const e = new LogjailError('CONTROL_REQUEST', `a request line is longer than ${this.o.maxLineBytes / 1024} KiB; the connection is closed`);
    this.queue.push({ last: errorLine(null, e) });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        const item = this.queue.shift()!;
        if (typeof item !== 'string') {
          this.queue.length = 0;
          this.socket.write(item.last);
          break;
        }
        const out = await this.answer(item);
        if (this.socket.destroyed) return;
        if (!this.socket.write(out)) await this.drained();
        if (this.paused && !this.ending && this.queue.length < this.o.maxQueued / 2) {
          this.paused = false;
          this.socket.resume();
        }
      }
    } finally {
      this.busy = false;
    }
    if (this.ending) this.hangUp();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /**
   * Close our side once the answers written so far are flushed. What the client still sends is
   * read and dropped: closing a socket with unread input would reset the connection, and the
   * client could lose the last answer. A client that does not close its side in time is cut.
   */
  private hangUp(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    this.socket.resume();
    const cut = setTimeout(() => this.socket.destroy(), HANG_UP_MS);
    cut.unref();
    this.socket.once('close', () => clearTimeout(cut));
  }
}
