/**
 * How a source learns that it should look again: inotify (node's fs.watch) on the file and on
 * its directory, and/or a timer (polling). The sources do the looking; this only calls them.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Timers } from './types.js';

/** fail2ban's `backend` values that follow files (pyinotify and gamin mean inotify here). */
export type FileBackend = 'auto' | 'inotify' | 'polling' | 'none';

/**
 * Watch the directory for entries named `name` being created, renamed or deleted. (Writes to
 * the file are seen by its own watch: reacting to them here as well would double the work.)
 */
export function watchDirEntry(dir: string, name: string, onChange: () => void, onError: (e: unknown) => void): () => void {
  return watchPath(dir, (ev, file) => {
    // filename may be missing (the kernel queue overflowed): look anyway
    if (file === null || (ev === 'rename' && file === name)) onChange();
  }, onError);
}

/** Watch one file (its inode: events keep coming after it was renamed). */
export function watchFile(path: string, onChange: () => void, onError: (e: unknown) => void): () => void {
  return watchPath(path, () => onChange(), onError);
}

/**
 * Watch a directory for entries created, renamed or deleted (a glob source matches the names
 * itself); `null` when the kernel did not say which.
 */
export function watchDir(dir: string, onChange: (name: string | null) => void, onError: (e: unknown) => void): () => void {
  return watchPath(dir, (ev, file) => {
    if (file === null || ev === 'rename') onChange(file);
  }, onError);
}

function watchPath(p: string, onChange: (ev: string, name: string | null) => void, onError: (e: unknown) => void): () => void {
  // throws synchronously when the watch cannot be set up (ENOENT, ENOSPC, EMFILE)
  const w: FSWatcher = watch(p, { persistent: true, encoding: 'utf8' }, (ev, file) => onChange(ev, file ?? null));
  let open = true;
  w.on('error', (e) => {
    if (!open) return;
    open = false;
    w.close();
    onError(e);
  });
  return () => {
    if (!open) return;
    open = false;
    w.close();
  };
}

/**
 * Calls `tick` every `interval` ms, never twice at once: the next tick is scheduled when the
 * previous one has finished.
 */
export class Poller {
  private handle: unknown = null;
  private stopped = true;
  private readonly timers: Timers;
  private readonly interval: number;
  private readonly tick: () => Promise<void>;

  constructor(timers: Timers, interval: number, tick: () => Promise<void>) {
    this.timers = timers;
    this.interval = interval;
    this.tick = tick;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  get running(): boolean {
    return !this.stopped;
  }

  private schedule(): void {
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.interval);
  }
}

/** Back-off for re-trying a watch that could not be set up (fail2ban: 0.2 s doubling to 60 s). */
export function nextBackoff(ms: number): number {
  return Math.min(ms === 0 ? 200 : ms * 2, 60_000);
}

/** Is this a failure to set up inotify for lack of resources (as opposed to a missing path)? */
export function isWatchLimit(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM';
}
