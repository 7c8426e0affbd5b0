/**
 * Follows one log file by its path, across rotations, and resumes after a restart.
 *
 * Each look (`check`): first the files rotated away (still open, see FollowedFile) are read, so
 * their last lines come before the new file's first; then the path is stat'ed:
 * - same inode as the file followed: read what is new (FollowedFile notices copytruncate);
 * - another inode, or no file: the file followed was moved away, deleted or replaced: read it
 *   to its end and keep reading it for `linger` ms more (a writer such as syslog keeps writing
 *   to the old file until it is told to reopen), then hand on its incomplete last line and close
 *   it; the new file at the path is read from 0;
 * - no file: said once (LJ613), and followed as soon as it appears.
 *
 * Resuming (a stored FileState, only for the first file opened): same inode, same first line
 * and a line start at the position → go on from there. Another inode → the old file may have
 * been rotated while the daemon was down: a sibling in the directory with the stored inode
 * (auth.log.1, auth.log-20240101) and the same first line is read from the stored position
 * first, then the new file from 0. Another inode without such a sibling but the same first line
 * (file copied or restored, or a position without inode) → resume, like fail2ban. Anything
 * else → the content is new since the position was stored: from 0.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import { LogjailError } from '../errors.js';
import { pieceDecoder } from './decode.js';
import { FollowedFile, type FollowedHooks, type ReadLimits } from './followedFile.js';
import { seekToTime, type TimeSeek } from './timeSeek.js';
import { Poller, isWatchLimit, nextBackoff, watchDirEntry, watchFile, type FileBackend } from './watch.js';
import { realTimers, type EventHandler, type FileState, type LogSource, type OpenHow, type Sink, type SourceEvent, type Timers } from './types.js';
import { CoalescedRun } from '../util/coalescedRun.js';

export interface FileSourceOptions {
  readonly path: string;
  readonly sink: Sink;
  readonly onEvent?: EventHandler;
  /** Without a usable stored position: read from the start ("head", fail2ban's default) or only new lines ("tail"). */
  readonly start?: 'head' | 'tail';
  /** The position stored at the last stop. A valid one wins over `start`. */
  readonly resume?: FileState;
  /** How changes are noticed (default "auto": inotify with a slow polling safety net). */
  readonly backend?: FileBackend;
  /** Polling interval in ms (default 1000 for "polling", 5000 for the safety net of "auto"). */
  readonly pollInterval?: number;
  readonly timers?: Timers;
  /** Bytes per read (default 256 KiB). */
  readonly blockSize?: number;
  /** Longer lines are cut to this many bytes (default 64 KiB; the line feeder cuts at 16 KiB characters anyway). */
  readonly maxLineBytes?: number;
  /** How long a file rotated away is still read after its last growth, in ms (default 2000). */
  readonly linger?: number;
  /** logencoding (default UTF-8). */
  readonly encoding?: string;
  /**
   * Without a usable stored position, in head mode: skip the part of a big file older than
   * `since` (fail2ban's seek to now − findtime on the first read).
   */
  readonly seekTime?: TimeSeek;
  /**
   * Watch the directory for the file's creation and renames (default true). A glob source
   * watches the directory once for all its files and calls check() itself.
   */
  readonly watchDirectory?: boolean;
}

export const DEFAULT_BLOCK_SIZE = 256 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
export const DEFAULT_LINGER = 2000;
const POLL_INTERVAL = 1000;
const SAFETY_INTERVAL = 5000;
/** Siblings looked at when searching for a file rotated while the daemon was down. */
const MAX_SIBLINGS = 64;
/** Files let go that are remembered (see knownFiles). */
const MAX_FORMER = 8;

interface Retiring {
  readonly file: FollowedFile;
  /** Last time the file grew (timers.now()). */
  since: number;
  size: number;
}

export class FileSource implements LogSource {
  readonly path: string;
  private readonly dir: string;
  private readonly name: string;
  private readonly sink: Sink;
  private readonly onEvent: EventHandler;
  private readonly startMode: 'head' | 'tail';
  private readonly resume: FileState | undefined;
  private readonly backend: FileBackend;
  private readonly pollInterval: number | undefined;
  private readonly timers: Timers;
  private readonly limits: ReadLimits;
  private readonly linger: number;
  private readonly hooks: FollowedHooks;
  private readonly ownDirWatch: boolean;
  private readonly seekTime: TimeSeek | undefined;

  private current: FollowedFile | null = null;
  private readonly retiring: Retiring[] = [];
  /** Files let go after a rotation, newest first. */
  private readonly former: { ino: number; dev: number; hash: string; open: boolean }[] = [];
  /** The first file was opened (a stored position applies only to it). */
  private opened = false;
  private missingSaid = false;
  private lastError = '';
  private started = false;
  private closed = false;
  /** One look at a time; a call meanwhile asks for one more after it. */
  private readonly looks = new CoalescedRun(() => this.look(), () => this.closed);

  private poller: Poller | null = null;
  private unwatchDir: (() => void) | null = null;
  private dirIno = -1;
  private dirRetry: unknown = null;
  private dirBackoff = 0;
  private lingerTimer: unknown = null;
  private pollingFallback = false;

  constructor(opts: FileSourceOptions) {
    this.path = opts.path;
    this.dir = dirname(opts.path);
    this.name = basename(opts.path);
    this.sink = opts.sink;
    this.onEvent = opts.onEvent ?? (() => {});
    this.startMode = opts.start ?? 'head';
    this.resume = opts.resume;
    this.backend = opts.backend ?? 'auto';
    this.pollInterval = opts.pollInterval;
    this.timers = opts.timers ?? realTimers;
    this.limits = {
      blockSize: Math.max(1, opts.blockSize ?? DEFAULT_BLOCK_SIZE),
      maxLineBytes: Math.max(1, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES),
    };
    this.linger = Math.max(0, opts.linger ?? DEFAULT_LINGER);
    this.ownDirWatch = opts.watchDirectory ?? true;
    this.seekTime = opts.seekTime;
    const decode = pieceDecoder(opts.encoding);
    this.hooks = {
      // a failing consumer must not leave the reading half-way through a block
      sink: (text, ascii, info) => {
        try {
          this.sink(text, ascii, info);
        } catch (e) {
          this.emit({ kind: 'error', path: this.path, error: new LogjailError('INTERNAL', `the consumer of ${this.path} failed: ${errText(e)}`) });
        }
      },
      decode,
      longLine: (offset, bytes) => this.emit({ kind: 'longLine', path: this.path, offset, bytes }),
    };
  }

  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    // watch before the first look: a file created in between is not missed
    if (this.backend === 'polling') this.startPoller(this.pollInterval ?? POLL_INTERVAL);
    if ((this.backend === 'inotify' || this.backend === 'auto') && this.ownDirWatch) this.watchDirectory();
    if (this.backend === 'auto') this.startPoller(this.pollInterval ?? SAFETY_INTERVAL);
    await this.check();
  }

  check(): Promise<void> {
    return this.looks.run();
  }

  positions(): readonly FileState[] {
    const f = this.current;
    if (f === null) return [];
    return [{ path: this.path, inode: f.ino, size: f.size, pos: f.pos, firstLineHash: f.first?.hash ?? '' }];
  }

  /** True while a file rotated away is still being read. */
  get draining(): boolean {
    return this.retiring.length > 0;
  }

  /**
   * The files this source reads or has read (inode, device, first-line hash): a glob source must
   * not follow them a second time under a rotated name. Open ones first; then the last few let
   * go (their inode number may have been reused since: compare the hash too).
   */
  knownFiles(): { ino: number; dev: number; hash: string; open: boolean }[] {
    const out = this.retiring.map((r) => ({ ino: r.file.ino, dev: r.file.dev, hash: r.file.first?.hash ?? '', open: true }));
    if (this.current !== null) out.push({ ino: this.current.ino, dev: this.current.dev, hash: this.current.first?.hash ?? '', open: true });
    return out.concat(this.former);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poller?.stop();
    this.unwatchDir?.();
    this.unwatchDir = null;
    if (this.dirRetry !== null) this.timers.clearTimeout(this.dirRetry);
    if (this.lingerTimer !== null) this.timers.clearTimeout(this.lingerTimer);
    this.dirRetry = this.lingerTimer = null;
    const files = this.retiring.map((r) => r.file);
    if (this.current !== null) files.push(this.current);
    // closing first stops a long read after its current block
    const closing = files.map((f) => f.close());
    await this.looks.settled();
    await Promise.all(closing);
  }

  // ---- one look ----

  private async look(): Promise<void> {
    try {
      await this.readRetiring();
      await this.readCurrent();
      const cur = this.current;
      if (cur !== null && cur.holding) {
        // the new file's lines were held: first whatever the old one got meanwhile
        await this.readRetiring();
        cur.release();
      }
      this.lastError = '';
    } catch (e) {
      if (this.closed) return;
      this.fail(e);
    }
  }

  private async readCurrent(): Promise<void> {
    const st = await statOrNull(this.path);
    const cur = this.current;
    if (cur !== null) {
      if (st !== null && st.ino === cur.ino && st.dev === cur.dev) {
        if (this.retiring.length > 0) cur.hold();
        const how = await cur.read(true);
        if (how !== null) {
          this.emit({ kind: 'rotated', path: this.path, how });
          this.emit({ kind: 'opened', path: this.path, pos: 0, how: 'created' });
        }
        return;
      }
      // moved away, deleted or replaced: its last lines first
      await cur.read(false);
      this.current = null;
      const how = (await cur.deleted()) ? 'deleted' : 'moved';
      this.retire(cur);
      this.emit({ kind: 'rotated', path: this.path, how });
    }
    if (this.closed) return;
    if (st === null) {
      this.sayMissing();
      this.rewatchDirectory();
      return;
    }
    if (!st.isFile()) throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'ENOTREG' });
    await this.openCurrent();
  }

  private async openCurrent(): Promise<void> {
    let f: FollowedFile;
    try {
      f = await FollowedFile.open(this.path, this.limits, this.hooks);
    } catch (e) {
      if (isMissing(e)) {
        this.sayMissing();
        return;
      }
      throw e;
    }
    if (this.closed) {
      await f.close();
      return;
    }
    let pos = 0;
    let how: OpenHow = 'created';
    if (!this.opened) {
      this.opened = true;
      ({ pos, how } = await this.startPosition(f));
    }
    this.missingSaid = false;
    f.seek(pos);
    this.current = f;
    this.watchInode(f);
    this.emit({ kind: 'opened', path: this.path, pos, how });
    if (this.retiring.length > 0) f.hold();
    await f.read(false);
  }

  private async startPosition(f: FollowedFile): Promise<{ pos: number; how: OpenHow }> {
    const r = this.resume;
    if (r !== undefined) {
      const resumable = async (): Promise<boolean> => sameContent(f, r) && (await f.isLineStart(r.pos));
      if (r.inode !== 0 && r.inode === f.ino) {
        if (await resumable()) return { pos: r.pos, how: 'resume' };
      } else {
        const old = r.inode !== 0 ? await this.findMoved(r) : null;
        if (old !== null) {
          old.seek(r.pos);
          this.retire(old);
          return { pos: 0, how: 'rotatedWhileDown' };
        }
        if (await resumable()) return { pos: r.pos, how: 'resume' };
      }
      // the content is not the one the position belongs to: all of it is newer
      this.emit({ kind: 'rotated', path: this.path, how: 'replaced' });
      return { pos: await this.headPosition(f), how: 'start' };
    }
    // tail skips what was there when the source started, not the first lines of a file that came later
    if (this.startMode === 'tail' && !this.missingSaid) return { pos: await f.lastLineEnd(), how: 'tail' };
    return { pos: await this.headPosition(f), how: 'start' };
  }

  private async headPosition(f: FollowedFile): Promise<number> {
    return this.seekTime === undefined ? 0 : seekToTime(f, this.seekTime);
  }

  /** The file of a stored position, renamed by a rotation while the daemon was down. */
  private async findMoved(r: FileState): Promise<FollowedFile | null> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return null;
    }
    const candidates = names.filter((n) => n !== this.name && n.startsWith(this.name)).sort().slice(0, MAX_SIBLINGS);
    for (const n of candidates) {
      const p = join(this.dir, n);
      const st = await statOrNull(p);
      if (st === null || st.ino !== r.inode || !st.isFile()) continue;
      let f: FollowedFile;
      try {
        f = await FollowedFile.open(p, this.limits, this.hooks, { path: this.path });
      } catch {
        continue;
      }
      if (sameContent(f, r) && (await f.isLineStart(r.pos))) return f;
      await f.close();
    }
    return null;
  }

  // ---- files rotated away ----

  private retire(f: FollowedFile): void {
    this.retiring.push({ file: f, since: this.timers.now(), size: f.size });
    this.scheduleLinger();
  }

  private async readRetiring(): Promise<void> {
    if (this.retiring.length === 0) return;
    const now = this.timers.now();
    for (const r of this.retiring) {
      await r.file.read(false);
      // a file rotated away while its lines were held (it came and went within the linger of
      // an older one): the older ones were read just before, so its lines may go now
      r.file.release();
      if (r.file.size !== r.size) {
        r.size = r.file.size;
        r.since = now;
      }
    }
    for (let i = 0; i < this.retiring.length; ) {
      const r = this.retiring[i]!;
      if (now - r.since >= this.linger) {
        r.file.finish();
        this.retiring.splice(i, 1);
        this.former.unshift({ ino: r.file.ino, dev: r.file.dev, hash: r.file.first?.hash ?? '', open: false });
        this.former.length = Math.min(this.former.length, MAX_FORMER);
        await r.file.close();
      } else i++;
    }
    this.scheduleLinger();
  }

  private scheduleLinger(): void {
    if (this.lingerTimer !== null) this.timers.clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.retiring.length === 0 || this.closed) return;
    const due = Math.min(...this.retiring.map((r) => r.since + this.linger));
    this.lingerTimer = this.timers.setTimeout(() => {
      this.lingerTimer = null;
      void this.check();
    }, Math.max(0, due - this.timers.now()));
  }

  // ---- watching ----

  private startPoller(interval: number): void {
    this.poller?.stop();
    this.poller = new Poller(this.timers, interval, () => this.check());
    this.poller.start();
  }

  private watchDirectory(): void {
    if (this.closed || this.pollingFallback) return;
    this.unwatchDir?.();
    this.unwatchDir = null;
    try {
      this.unwatchDir = watchDirEntry(this.dir, this.name, () => void this.check(), (e) => this.watchFailed(e));
      this.dirBackoff = 0;
      void stat(this.dir).then((s) => (this.dirIno = s.ino), () => (this.dirIno = -1));
    } catch (e) {
      this.watchFailed(e);
    }
  }

  /** The file is missing: is the directory watch still on the directory that is there now? */
  private rewatchDirectory(): void {
    if ((this.backend !== 'inotify' && this.backend !== 'auto') || !this.ownDirWatch || this.pollingFallback || this.dirRetry !== null) return;
    void stat(this.dir).then(
      (s) => {
        if (this.unwatchDir === null || s.ino !== this.dirIno) {
          this.watchDirectory();
          void this.check();
        }
      },
      () => this.retryDirectoryWatch(),
    );
  }

  private watchInode(f: FollowedFile): void {
    if ((this.backend !== 'inotify' && this.backend !== 'auto') || this.pollingFallback) return;
    try {
      f.unwatch = watchFile(this.path, () => void this.check(), (e) => this.watchFailed(e));
    } catch (e) {
      this.watchFailed(e);
    }
  }

  private watchFailed(e: unknown): void {
    if (this.closed) return;
    if (isWatchLimit(e)) {
      // inotify is exhausted: polling still works
      if (!this.pollingFallback) {
        this.pollingFallback = true;
        this.emit({
          kind: 'error',
          path: this.path,
          error: new LogjailError('SOURCE_WATCH', `${this.path}: ${errText(e)}; polling every ${this.pollInterval ?? POLL_INTERVAL} ms`),
        });
        this.unwatchDir?.();
        this.unwatchDir = null;
        this.startPoller(this.pollInterval ?? POLL_INTERVAL);
      }
      return;
    }
    this.unwatchDir?.();
    this.unwatchDir = null;
    if (this.ownDirWatch) this.retryDirectoryWatch();
  }

  /** The directory does not exist (yet): try again later, with back-off. */
  private retryDirectoryWatch(): void {
    if (this.closed || this.dirRetry !== null) return;
    this.dirBackoff = nextBackoff(this.dirBackoff);
    this.dirRetry = this.timers.setTimeout(() => {
      this.dirRetry = null;
      this.watchDirectory();
      void this.check();
    }, this.dirBackoff);
  }

  // ---- reporting ----

  private sayMissing(): void {
    if (this.missingSaid) return;
    this.missingSaid = true;
    this.emit({
      kind: 'missing',
      path: this.path,
      error: new LogjailError('SOURCE_MISSING', `${this.path} does not exist; it will be followed as soon as it appears`),
    });
  }

  private fail(e: unknown): void {
    const text = errText(e);
    // the same failure at every look is said once
    if (text === this.lastError) return;
    this.lastError = text;
    this.emit({ kind: 'error', path: this.path, error: new LogjailError('SOURCE_READ', `${this.path}: ${text}`) });
  }

  private emit(ev: SourceEvent): void {
    try {
      this.onEvent(ev);
    } catch {
      // a failing event handler must not stop the reading
    }
  }
}

/**
 * Is `f` the content a stored position belongs to, as far as its first line tells? A position
 * stored before the file had a complete first line is 0: nothing was consumed, any content fits.
 */
function sameContent(f: FollowedFile, r: FileState): boolean {
  if (r.firstLineHash === '') return r.pos === 0;
  return f.first?.hash === r.firstLineHash && r.pos >= 0;
}

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await stat(p);
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errText(e: unknown): string {
  const err = e as { code?: string; message?: string } | null;
  if (err?.code === 'ENOTREG') return 'not a regular file';
  if (typeof err?.code === 'string') return `${err.code} (${err.message ?? ''})`;
  return String(err?.message ?? e);
}
