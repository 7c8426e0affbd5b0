/**
 * `backend = systemd`: reads the journal through `journalctl --follow --output=json` run as a
 * child process (an argument array, no shell). Each entry becomes one line (journalEntry.ts)
 * handed to the sink with its time; the cursor of the last entry handed on is the position to
 * store. When journalctl ends on its own (journal files rotated away, journalctl missing, a bad
 * cursor), it is started again after a back-off, from the last cursor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LogjailError } from '../errors.js';
import { journalctlArgs, type JournalParams } from './journalArgs.js';
import { journalLine } from './journalEntry.js';
import { nextBackoff } from './watch.js';
import { JOURNAL_PATH, realTimers, type EventHandler, type JournalState, type LogSource, type Sink, type SourceEvent, type Timers } from './types.js';

export interface JournalSourceOptions {
  readonly sink: Sink;
  readonly onEvent?: EventHandler;
  /** The filter's journalmatch lines, each split like a shell does. */
  readonly matches?: readonly (readonly string[])[];
  /** The backend's options: systemd[journalpath=..., journalfiles=..., journalflags=..., namespace=...]. */
  readonly params?: JournalParams;
  /** The position stored at the last stop. */
  readonly resume?: JournalState;
  /**
   * The oldest entry of interest (seconds since the epoch; fail2ban: now − findtime). A stored
   * cursor older than that is not used. Default: the time the source starts (only new entries).
   */
  readonly since?: number;
  /** The program (default "journalctl", looked up in PATH). */
  readonly journalctl?: string;
  readonly timers?: Timers;
  /** Longer JSON entries are skipped (default 1 MiB). */
  readonly maxEntryBytes?: number;
  /** How long journalctl may take to end after SIGTERM before it is killed (ms, default 2000). */
  readonly killAfter?: number;
}

const LF = 10;
const DEFAULT_MAX_ENTRY = 1 << 20;
const STDERR_KEEP = 4096;
const NON_ASCII = /[^\x00-\x7f]/;

export class JournalSource implements LogSource {
  private readonly opts: JournalSourceOptions;
  private readonly sink: Sink;
  private readonly onEvent: EventHandler;
  private readonly timers: Timers;
  private readonly maxEntry: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private cursor: string | null;
  private time: number;
  /** The stored cursor was refused by journalctl: start from `since` instead. */
  private cursorRefused = false;
  private restartTimer: unknown = null;
  /** When the source started, for "entries from now on". */
  private startTime: number | undefined;
  private backoff = 0;
  private lastError = '';
  private closed = false;
  private started = false;
  // stdout split into lines
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private skipping = false;
  private stderr = '';
  private entries = 0;

  constructor(opts: JournalSourceOptions) {
    this.opts = opts;
    this.sink = opts.sink;
    this.onEvent = opts.onEvent ?? (() => {});
    this.timers = opts.timers ?? realTimers;
    this.maxEntry = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY;
    this.cursor = opts.resume?.cursor ?? null;
    this.time = opts.resume?.time ?? 0;
  }

  /** Starts journalctl; resolves once it runs (or failed to start: it is tried again later). */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    // a bad journalmatch or journalflags is a configuration error: thrown to the caller
    await this.args();
    await this.spawn();
  }

  /** journalctl pushes entries as they come: nothing to look at. */
  check(): Promise<void> {
    return Promise.resolve();
  }

  positions(): readonly JournalState[] {
    return this.cursor === null ? [] : [{ path: JOURNAL_PATH, cursor: this.cursor, time: this.time }];
  }

  /** Entries handed on so far. */
  get count(): number {
    return this.entries;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = this.timers.setTimeout(() => child.kill('SIGKILL'), this.opts.killAfter ?? 2000);
      await this.exited;
      this.timers.clearTimeout(kill);
    }
    this.child = null;
  }

  private async args(): Promise<string[]> {
    // without a position or a time: entries from now on. A time rather than journalctl's
    // "--lines=0", which would lose entries written while journalctl is still starting.
    const since = this.opts.since ?? (this.startTime ??= Date.now() / 1000);
    // fail2ban starts at max(stored position, now − findtime): an old cursor is not worth replaying
    const useCursor = this.cursor !== null && !this.cursorRefused && this.time >= since;
    return journalctlArgs(this.opts.params ?? {}, this.opts.matches ?? [], useCursor ? { afterCursor: this.cursor! } : { since: Math.max(since, this.time) });
  }

  private async spawn(): Promise<void> {
    let args: string[];
    try {
      args = await this.args();
    } catch (e) {
      this.report(e instanceof LogjailError ? e : new LogjailError('JOURNAL_READ', String(e)));
      this.scheduleRestart();
      return;
    }
    if (this.closed) return;
    const usedCursor = args.some((a) => a.startsWith('--after-cursor='));
    this.chunks = [];
    this.chunkBytes = 0;
    this.skipping = false;
    this.stderr = '';
    const child = spawn(this.opts.journalctl ?? 'journalctl', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', SYSTEMD_LESS: '' },
    });
    this.child = child;
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    child.stdout!.on('data', (b: Buffer) => this.data(b));
    child.stderr!.on('data', (b: Buffer) => {
      if (this.stderr.length < STDERR_KEEP) this.stderr += b.toString('utf8').slice(0, STDERR_KEEP - this.stderr.length);
    });
    let spawnError: Error | null = null;
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      resolveExit();
      if (this.child === child) this.child = null;
      if (this.closed) return;
      const why = spawnError !== null ? errText(spawnError) : `journalctl ended (${signal ?? `exit code ${code}`})${this.stderr.trim() !== '' ? ': ' + this.stderr.trim() : ''}`;
      if (usedCursor && /cursor/i.test(this.stderr)) {
        // the stored cursor does not fit this journal (e.g. it was recreated): from `since` instead
        this.cursorRefused = true;
        this.report(new LogjailError('JOURNAL_READ', `${why}; starting again without the stored cursor`));
        void this.spawn();
        return;
      }
      this.report(new LogjailError('JOURNAL_READ', why));
      this.scheduleRestart();
    });
    await new Promise<void>((resolve) => {
      child.once('spawn', () => resolve());
      child.once('error', () => resolve());
    });
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer !== null) return;
    this.backoff = nextBackoff(this.backoff === 0 ? 500 : this.backoff);
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      void this.spawn();
    }, this.backoff);
  }

  /** stdout: JSON lines, one per entry; an entry longer than the cap is skipped. */
  private data(b: Buffer): void {
    let start = 0;
    for (let nl = b.indexOf(LF); nl !== -1; nl = b.indexOf(LF, start)) {
      if (this.skipping) this.skipping = false;
      else if (this.chunkBytes + nl - start > this.maxEntry) this.tooLong(this.chunkBytes + nl - start);
      else if (this.chunkBytes === 0) this.entry(b.subarray(start, nl));
      else {
        this.chunks.push(b.subarray(start, nl));
        this.entry(Buffer.concat(this.chunks));
      }
      this.chunks = [];
      this.chunkBytes = 0;
      start = nl + 1;
    }
    if (start < b.length && !this.skipping) {
      const rest = b.subarray(start);
      if (this.chunkBytes + rest.length > this.maxEntry) {
        this.tooLong(this.chunkBytes + rest.length);
        this.skipping = true;
        this.chunks = [];
        this.chunkBytes = 0;
      } else {
        this.chunks.push(rest);
        this.chunkBytes += rest.length;
      }
    }
  }

  private tooLong(bytes: number): void {
    this.emit({ kind: 'longLine', path: JOURNAL_PATH, offset: -1, bytes });
  }

  private entry(json: Buffer): void {
    if (this.closed || json.length === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
    const e = journalLine(parsed as Record<string, unknown>);
    if (e === null) return;
    this.backoff = 0;
    this.lastError = '';
    const text = e.line + '\n';
    try {
      this.sink(text, !NON_ASCII.test(text), { path: JOURNAL_PATH, journal: e.time });
    } catch (err) {
      this.emit({ kind: 'error', path: JOURNAL_PATH, error: new LogjailError('INTERNAL', `the consumer of the journal failed: ${errText(err)}`) });
    }
    this.cursor = e.cursor;
    this.time = e.time.time;
    this.entries++;
  }

  private report(error: LogjailError): void {
    // the same failure again and again (journalctl restarted in a loop) is said once
    if (error.detail === this.lastError) return;
    this.lastError = error.detail;
    this.emit({ kind: 'error', path: JOURNAL_PATH, error });
  }

  private emit(ev: SourceEvent): void {
    try {
      this.onEvent(ev);
    } catch {
      // a failing event handler must not stop the reading
    }
  }
}

function errText(e: unknown): string {
  const err = e as { code?: string; message?: string; path?: string } | null;
  if (err?.code === 'ENOENT' && err.path !== undefined && /journalctl/.test(err.path)) return 'journalctl not found (is systemd installed?)';
  return String(err?.message ?? e);
}
