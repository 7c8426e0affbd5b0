/**
 * What the log sources hand to the daemon and what they need from it.
 *
 * A source reads text (a followed file, a glob of files, the systemd journal) and calls a sink
 * with pieces of complete lines, each ending with "\n". It never touches the database: it
 * exposes its positions (`positions()`) for the daemon to persist, and accepts them back when
 * it is created.
 */
import type { LogjailError } from '../errors.js';

/** Where a followed file stands: enough to resume after a restart without a line lost or twice. */
export interface FileState {
  readonly path: string;
  /** Inode of the file the position belongs to (0 = unknown, e.g. a position imported from fail2ban). */
  readonly inode: number;
  /** Size of the file when it was last read. */
  readonly size: number;
  /** Byte offset just after the last complete line handed to the sink. */
  readonly pos: number;
  /** SHA-1 (hex) of the first line, "\n" included, as fail2ban computes it; "" while there is no complete first line. */
  readonly firstLineHash: string;
}

/** Where the journal reader stands. */
export interface JournalState {
  /** Always JOURNAL_PATH (fail2ban's name in its `logs` table). */
  readonly path: string;
  /** journalctl cursor of the last entry handed to the sink. */
  readonly cursor: string;
  /** Time of that entry (seconds since the epoch). */
  readonly time: number;
}

export const JOURNAL_PATH = 'systemd-journal';

export type SourceState = FileState | JournalState;

export function isJournalState(s: SourceState): s is JournalState {
  return (s as JournalState).cursor !== undefined;
}

/** Date of a journal entry: the filter takes it instead of detecting a date in the text. */
export interface JournalTime {
  /** Seconds since the epoch (microsecond precision). */
  readonly time: number;
  /** ISO 8601 local time with offset, as fail2ban shows it ("2023-11-14T22:13:20.500000+00:00"). */
  readonly text: string;
}

/** Which source a piece of text came from. One object per followed file, reused for every piece. */
export interface PieceInfo {
  /** The logpath (for a glob source: the matching file's path). */
  readonly path: string;
  /** Set for journal entries: each piece is then exactly one line. */
  readonly journal?: JournalTime;
}

/**
 * Receives text: one or more complete lines, each ending with "\n". `ascii` is true when the
 * text is pure ASCII (the filter then skips its own scan). Called synchronously; once it
 * returns, `positions()` count the text as consumed.
 */
export type Sink = (text: string, ascii: boolean, info: PieceInfo) => void;

export type SourceEvent =
  /** The file does not exist (yet): said once, until it appears (LJ613). */
  | { readonly kind: 'missing'; readonly path: string; readonly error: LogjailError }
  /** A file is now followed from `pos` ("start", "resume" from a stored state, "created" after a rotation, "tail"). */
  | { readonly kind: 'opened'; readonly path: string; readonly pos: number; readonly how: OpenHow }
  /** The followed file changed identity; lines of the old one are finished first where possible. */
  | { readonly kind: 'rotated'; readonly path: string; readonly how: RotationHow }
  /** A line longer than the cap: only its head is delivered. */
  | { readonly kind: 'longLine'; readonly path: string; readonly offset: number; readonly bytes: number }
  /** Reading or watching failed (LJ611, LJ612, LJ614); the source keeps trying. */
  | { readonly kind: 'error'; readonly path: string; readonly error: LogjailError }
  /** A glob source follows a new file / stops following a vanished one. */
  | { readonly kind: 'added' | 'removed'; readonly path: string };

export type OpenHow = 'start' | 'tail' | 'resume' | 'created' | 'rotatedWhileDown';
export type RotationHow = 'moved' | 'deleted' | 'truncated' | 'replaced';

export type EventHandler = (ev: SourceEvent) => void;

/** Timers and clock, injectable so that tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds, monotonic enough for intervals. */
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** What every source offers the daemon. */
export interface LogSource {
  /** Begin reading (the first read is done when the promise resolves) and watching. */
  start(): Promise<void>;
  /** Look for new text now (also what the watchers call). Resolves when that look is done. */
  check(): Promise<void>;
  /** Positions to persist. */
  positions(): readonly SourceState[];
  /** Stop watching and reading; resolves when no read is in progress any more. */
  close(): Promise<void>;
}
