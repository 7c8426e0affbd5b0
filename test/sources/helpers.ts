/**
 * Test helpers for the log sources: a sink that records what it receives, hand-driven timers,
 * temporary directories, and a bounded wait for real file-system events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PieceInfo, SourceEvent, Timers } from '../../src/sources/types.js';

export interface Received {
  readonly text: string;
  readonly ascii: boolean;
  readonly info: PieceInfo;
}

/** Records every piece and event; `lines` are the delivered lines without their "\n". */
export class Recorder {
  readonly pieces: Received[] = [];
  readonly events: SourceEvent[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  readonly sink = (text: string, ascii: boolean, info: PieceInfo): void => {
    this.pieces.push({ text, ascii, info });
    this.wake();
  };

  readonly onEvent = (ev: SourceEvent): void => {
    this.events.push(ev);
    this.wake();
  };

  get text(): string {
    return this.pieces.map((p) => p.text).join('');
  }

  get lines(): string[] {
    const t = this.text;
    return t === '' ? [] : t.slice(0, -1).split('\n');
  }

  kinds(): string[] {
    return this.events.map((e) => (e.kind === 'rotated' ? `rotated:${e.how}` : e.kind === 'opened' ? `opened:${e.how}` : e.kind));
  }

  /** Resolves when `pred` holds; rejects after `ms` (real time: for real file-system events only). */
  until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: () => { clearTimeout(t); resolve(); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; ${this.lines.length} lines, last ${JSON.stringify(this.lines.at(-1))}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.pred());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** Timers moved by hand: `advance(ms)` runs what falls due, in order. */
export class ManualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private queue: { at: number; id: number; fn: () => void }[] = [];

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.queue.push({ at: this.t + Math.max(0, ms), id, fn });
    return id;
  }

  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((e) => e.id !== h);
  }

  now(): number {
    return this.t;
  }

  get pending(): number {
    return this.queue.length;
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (next === undefined || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

export function tempDir(prefix = 'logjail-src-'): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** "line 1" ... numbered lines with "\n". */
export function numbered(from: number, to: number, prefix = 'line'): string {
  let s = '';
  for (let i = from; i <= to; i++) s += `${prefix} ${i}\n`;
  return s;
}

/** Line numbers of "prefix N" lines. */
export function numbers(lines: readonly string[]): number[] {
  return lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
}

/** For conditions no callback announces (a child process ending): look every few ms, give up after `ms`. */
export async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
