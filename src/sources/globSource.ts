/**
 * A logpath with wildcards: follows every matching file, picks up files that start to match
 * without a reload (fail2ban expands the pattern only once, at start: a long-standing
 * complaint), and lets go of files that vanished.
 *
 * New files are noticed by a watch on the pattern's directory (when only the last component
 * has wildcards) and by a rescan on each poll. A file that shows up under a matching name but
 * is one we already follow (a rotation renaming app.log to app.log.1 with the pattern app.log*)
 * is not followed a second time: its lines are read through the original path.
 */
import { open, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { readFirstLine } from './firstLine.js';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES, FileSource, type FileSourceOptions } from './fileSource.js';
import { componentMatcher, globFiles, hasMagic } from './glob.js';
import { CoalescedRun } from '../util/coalescedRun.js';
import { Poller, watchDir, type FileBackend } from './watch.js';
import { realTimers, type EventHandler, type FileState, type LogSource, type SourceEvent, type Timers } from './types.js';

export interface GlobSourceOptions extends Omit<FileSourceOptions, 'path' | 'resume' | 'watchDirectory'> {
  readonly pattern: string;
  /** The stored position of a path, if any. */
  readonly resume?: (path: string) => FileState | undefined;
  /** Rescan interval in ms when nothing else tells of new files (inotify with wildcards in directories; default 10 s). */
  readonly rescanInterval?: number;
}

const POLL_INTERVAL = 1000;
const SAFETY_INTERVAL = 5000;
const RESCAN_INTERVAL = 10_000;

export class GlobSource implements LogSource {
  readonly pattern: string;
  private readonly opts: GlobSourceOptions;
  private readonly onEvent: EventHandler;
  private readonly timers: Timers;
  private readonly backend: FileBackend;
  private readonly files = new Map<string, FileSource>();
  /** Paths that name a file we already follow under its first name, with that file's inode. */
  private readonly aliases = new Map<string, number>();
  /** The directory watched for all files (null when the directories have wildcards). */
  private readonly dir: string | null;
  private readonly matchName: (name: string) => boolean;
  private unwatch: (() => void) | null = null;
  private poller: Poller | null = null;
  private firstScan = true;
  /** One scan at a time, as FileSource looks. */
  private readonly scans = new CoalescedRun(() => this.scan(), () => this.closed);
  private closed = false;

  constructor(opts: GlobSourceOptions) {
    this.pattern = opts.pattern;
    this.opts = opts;
    this.onEvent = opts.onEvent ?? (() => {});
    this.timers = opts.timers ?? realTimers;
    this.backend = opts.backend ?? 'auto';
    const dir = dirname(opts.pattern);
    this.dir = hasMagic(dir) ? null : dir;
    this.matchName = componentMatcher(basename(opts.pattern));
  }

  async start(): Promise<void> {
    if (this.closed || this.poller !== null || this.unwatch !== null) return;
    const inotify = this.backend === 'inotify' || this.backend === 'auto';
    if (inotify && this.dir !== null) this.watchDirectory(this.dir);
    const interval = this.backend === 'polling' ? this.opts.pollInterval ?? POLL_INTERVAL
      : this.backend === 'auto' ? this.opts.pollInterval ?? SAFETY_INTERVAL
      : this.backend === 'inotify' && (this.dir === null || this.unwatch === null) ? this.opts.rescanInterval ?? RESCAN_INTERVAL
      : 0;
    // polling: one timer for the rescan and every file; the files poll nothing themselves
    if (interval > 0) {
      this.poller = new Poller(this.timers, interval, () => this.check());
      this.poller.start();
    }
    await this.rescan();
  }

  /** Rescan the pattern, then look at every file. */
  async check(): Promise<void> {
    await this.rescan();
    await Promise.all([...this.files.values()].map((f) => f.check()));
  }

  positions(): readonly FileState[] {
    return [...this.files.values()].flatMap((f) => f.positions());
  }

  /** The files followed now. */
  paths(): string[] {
    return [...this.files.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poller?.stop();
    this.unwatch?.();
    this.unwatch = null;
    await this.scans.settled();
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
  }

  // ---- scanning ----

  /** One scan at a time, one more when asked meanwhile. */
  rescan(): Promise<void> {
    return this.scans.run();
  }

  private async scan(): Promise<void> {
    const found = new Set<string>();
    for (const p of await globFiles(this.pattern)) {
      const st = await stat(p).catch(() => null);
      if (st !== null && st.isFile()) found.add(p);
    }
    if (this.closed) return;
    const first = this.firstScan;
    this.firstScan = false;
    for (const p of found) {
      if (this.files.has(p)) continue;
      if (!first && (await this.isAlias(p))) continue;
      if (this.closed) return;
      const child = this.follow(p, first);
      this.emit({ kind: 'added', path: p });
      await child.start();
    }
    for (const [p, child] of this.files) {
      if (found.has(p)) continue;
      // vanished or renamed: the file source finishes what the file holds before we let go
      await child.check();
      if (child.positions().length === 0 && !child.draining) {
        this.files.delete(p);
        await child.close();
        this.emit({ kind: 'removed', path: p });
      }
    }
    for (const p of this.aliases.keys()) if (!found.has(p)) this.aliases.delete(p);
  }

  /** Is the file at `p` one we follow already (or followed), renamed by a rotation? */
  private async isAlias(p: string): Promise<boolean> {
    const st = await stat(p).catch(() => null);
    if (st === null) return true;
    if (this.aliases.get(p) === st.ino) return true;
    let hash: string | null = null;
    for (const f of this.files.values()) {
      for (const k of f.knownFiles()) {
        if (k.ino !== st.ino || k.dev !== st.dev) continue;
        // an open file keeps its inode number; a closed one's may have been given to a new file
        if (!k.open) hash ??= await firstLineHash(p, this.opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
        if (k.open || hash === k.hash) {
          this.aliases.set(p, st.ino);
          return true;
        }
      }
    }
    this.aliases.delete(p);
    return false;
  }

  private follow(path: string, first: boolean): FileSource {
    const { pattern: _p, resume: lookup, rescanInterval: _r, seekTime, ...common } = this.opts;
    const resume = lookup?.(path);
    const child = new FileSource({
      ...common,
      path,
      // a file that appears later is new: all of it is read
      start: first ? common.start ?? 'head' : 'head',
      ...(resume !== undefined ? { resume } : {}),
      // files present at start may be big and old; later ones are new
      ...(first && seekTime !== undefined ? { seekTime } : {}),
      // the glob source polls for its files and, when it can, watches their directory
      backend: this.backend === 'polling' ? 'none' : this.backend === 'auto' ? 'inotify' : this.backend,
      watchDirectory: this.unwatch === null,
      onEvent: (ev) => this.emit(ev),
    });
    this.files.set(path, child);
    return child;
  }

  // ---- watching ----

  private watchDirectory(dir: string): void {
    try {
      this.unwatch = watchDir(dir, (name) => this.dirEvent(dir, name), () => {
        // the directory went away or inotify failed: the poller (if any) and the files' own watches go on
        this.unwatch = null;
      });
    } catch {
      this.unwatch = null;
    }
  }

  private dirEvent(dir: string, name: string | null): void {
    if (this.closed) return;
    if (name === null) {
      void this.check();
      return;
    }
    const child = this.files.get(join(dir, name));
    if (child !== undefined) void child.check();
    else if (this.matchName(name)) void this.rescan();
  }

  private emit(ev: SourceEvent): void {
    try {
      this.onEvent(ev);
    } catch {
      // a failing event handler must not stop the reading
    }
  }
}

async function firstLineHash(p: string, maxBytes: number): Promise<string> {
  try {
    const fh = await open(p, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return (await readFirstLine(fh, maxBytes))?.hash ?? '';
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}
