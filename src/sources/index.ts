/**
 * The log sources of a jail, as its configuration asks for them: `backend` and `logpath`
 * (paths and globs, with head/tail), or the journal with the filter's `journalmatch`.
 */
import type { JailConfig } from '../config/types.js';
import { LogjailError } from '../errors.js';
import { pieceDecoder } from './decode.js';
import { FileSource } from './fileSource.js';
import { hasMagic } from './glob.js';
import { GlobSource } from './globSource.js';
import { JournalSource } from './journalSource.js';
import { matchArgs } from './journalArgs.js';
import { isJournalState, JOURNAL_PATH, type EventHandler, type FileState, type JournalState, type LogSource, type Sink, type SourceState, type Timers } from './types.js';
import type { FileBackend } from './watch.js';

export { FileSource, type FileSourceOptions } from './fileSource.js';
export { GlobSource, type GlobSourceOptions } from './globSource.js';
export { JournalSource, type JournalSourceOptions } from './journalSource.js';
export type { FileBackend } from './watch.js';
export * from './types.js';

export interface JailSourcesOptions {
  /** Receives complete lines (see Sink); journal pieces carry their time in `info.journal`. */
  readonly sink: Sink;
  readonly onEvent?: EventHandler;
  /** The jail's stored position for a path (JOURNAL_PATH for the journal). */
  readonly position?: (path: string) => SourceState | undefined;
  /** Wall-clock seconds since the epoch (the journal starts at now − findtime). */
  readonly now?: () => number;
  readonly timers?: Timers;
  /** journalctl program (tests). */
  readonly journalctl?: string;
  /** Polling interval (ms) for `polling`, and of the safety net of `auto`. */
  readonly pollInterval?: number;
  /**
   * The time of a line (seconds) or null: with it, a big log read for the first time starts
   * near now − findtime instead of at its beginning (fail2ban's seek on the first read).
   */
  readonly dateOf?: (line: string) => number | null;
}

export type SourceKind = FileBackend | 'systemd';

/** fail2ban's backend names → what logjail does (pyinotify and gamin: inotify). */
export function sourceKind(jail: JailConfig): SourceKind {
  const name = jail.backend.name.trim().toLowerCase();
  if (name === 'auto' || name === 'polling') return name;
  if (name === 'inotify' || name === 'pyinotify' || name === 'gamin') return 'inotify';
  if (name.startsWith('systemd')) return 'systemd';
  throw new LogjailError('CONFIG_VALUE', `unknown backend ${JSON.stringify(jail.backend.name)}`, { ...jail.place, key: 'backend' },
    'use auto, inotify, polling or systemd');
}

/**
 * The sources for a jail, not yet started. Configuration mistakes (backend, journalmatch terms,
 * logencoding) throw a LogjailError with the jail's place.
 */
export function jailSources(jail: JailConfig, opts: JailSourcesOptions): LogSource[] {
  const kind = sourceKind(jail);
  const common = {
    sink: opts.sink,
    ...(opts.onEvent !== undefined ? { onEvent: opts.onEvent } : {}),
    ...(opts.timers !== undefined ? { timers: opts.timers } : {}),
  };
  if (kind === 'systemd') {
    const matches = jail.filter?.journalmatch ?? [];
    matches.forEach((line, i) => {
      try {
        matchArgs([line]);
      } catch (e) {
        throw e instanceof LogjailError ? e.withPlace(jail.filter?.places.journalmatch[i] ?? { ...jail.place, key: 'journalmatch' }) : e;
      }
    });
    const stored = opts.position?.(JOURNAL_PATH);
    const resume = stored !== undefined && isJournalState(stored) ? stored : undefined;
    const now = opts.now?.() ?? Date.now() / 1000;
    const src = new JournalSource({
      ...common,
      matches,
      params: jail.backend.params,
      since: now - jail.findTime,
      ...(resume !== undefined ? { resume: resume as JournalState } : {}),
      ...(opts.journalctl !== undefined ? { journalctl: opts.journalctl } : {}),
    });
    return [src];
  }
  const encoding = jail.logEncoding;
  try {
    pieceDecoder(encoding);
  } catch (e) {
    throw e instanceof LogjailError ? e.withPlace({ ...jail.place, key: 'logencoding' }) : e;
  }
  const fileState = (p: string): FileState | undefined => {
    const s = opts.position?.(p);
    return s !== undefined && !isJournalState(s) ? s : undefined;
  };
  const seekTime = opts.dateOf !== undefined ? { since: (opts.now?.() ?? Date.now() / 1000) - jail.findTime, dateOf: opts.dateOf } : undefined;
  const out: LogSource[] = [];
  const seen = new Set<string>();
  for (const lp of jail.logpaths) {
    if (seen.has(lp.pattern)) continue;
    seen.add(lp.pattern);
    const file = {
      ...common,
      start: lp.tail ? 'tail' as const : 'head' as const,
      backend: kind,
      encoding,
      ...(opts.pollInterval !== undefined ? { pollInterval: opts.pollInterval } : {}),
      ...(seekTime !== undefined ? { seekTime } : {}),
    };
    if (hasMagic(lp.pattern)) out.push(new GlobSource({ ...file, pattern: lp.pattern, resume: fileState }));
    else {
      const resume = fileState(lp.pattern);
      out.push(new FileSource({ ...file, path: lp.pattern, ...(resume !== undefined ? { resume } : {}) }));
    }
  }
  return out;
}
