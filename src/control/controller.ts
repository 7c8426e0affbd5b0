/**
 * What the control socket can ask of the running daemon. The daemon (src/server) implements it;
 * the socket server (src/control) calls it for each request; results are plain JSON-able data.
 *
 * INTERFACE (stable; the server and the control stage depend on it).
 */

export interface JailStatus {
  readonly name: string;
  readonly filter: {
    readonly currentlyFailed: number;
    readonly totalFailed: number;
    /** Files followed, or the journal matches for the systemd backend. */
    readonly files: readonly string[];
    readonly journalMatches?: readonly string[];
  };
  readonly actions: {
    readonly currentlyBanned: number;
    readonly totalBanned: number;
    readonly banned: readonly string[];
  };
}

export interface BannedEntry {
  readonly jail: string;
  readonly ip: string;
  /** Epoch seconds. */
  readonly since: number;
  /** Epoch seconds; null for ever. */
  readonly until: number | null;
  readonly count: number;
}

/** Jail settings readable with `get` and (some) writable with `set`. */
export type JailSetting =
  | 'maxretry' | 'findtime' | 'bantime' | 'maxmatches' | 'maxlines' | 'usedns' | 'ignoreip' | 'ignoreself'
  | 'ignorecommand' | 'logpath' | 'failregex' | 'ignoreregex' | 'prefregex' | 'datepattern' | 'logtimezone'
  | 'journalmatch' | 'actions' | 'banned' | 'idle';

export interface Controller {
  /** Names of the running jails. */
  jails(): readonly string[];
  status(jail: string): JailStatus;
  /** Ban addresses by hand; returns how many were newly banned. Errors for unknown jails or bad addresses. */
  ban(jail: string, ips: readonly string[]): Promise<number>;
  /** Unban in one jail, or in all jails when jail is null; returns how many bans were lifted. */
  unban(jail: string | null, ips: readonly string[]): Promise<number>;
  unbanAll(jail: string | null): Promise<number>;
  banned(jail: string | null): readonly BannedEntry[];
  /** Re-read the configuration (one jail, or all when null). */
  reload(jail: string | null): Promise<void>;
  /** Orderly shutdown; resolves when it has started (the process then exits). */
  stop(): Promise<void>;
  get(jail: string, setting: JailSetting): unknown;
  /** Change a setting at run time (not written to the configuration). */
  set(jail: string, setting: JailSetting, value: string): Promise<unknown>;
  version(): string;
}
