/**
 * Records and interfaces of the action stage: what the jail stage hands over (a `Ban`), what it
 * may offer for the tags that need more than the ban (`JailContext`), and what every action
 * (shell command actions and the built-in nftables action) offers in return (`Action`).
 */

export type Family = 'inet4' | 'inet6';

/**
 * One ban ticket, as the jail stage produces it. Everything an action command can say about a
 * ban comes from here (`<ip>`, `<fid>`, `<failures>`, `<F-USER>`...).
 */
export interface Ban {
  readonly jail: string;
  /** The failure id that was counted (`<fid>`): canonical address, network, or raw text. */
  readonly id: string;
  /** The address to ban (`<ip>`): the captured `ip` when the filter used F-ID, else the id. */
  readonly ip: string;
  /** null when `ip` is not an address (a raw id, e.g. a host name kept as text). */
  readonly family: Family | null;
  /** Epoch seconds the ban counts from (`<time>`; fail2ban: the time of the last failure). */
  readonly time: number;
  /** Seconds; -1 = for ever. */
  readonly banTime: number;
  /** How many times this id was banned, this ban included. */
  readonly banCount: number;
  readonly failures: number;
  /** Matched log lines (at most maxmatches). */
  readonly matches: readonly string[];
  /** Captured fields by group name (`user`, `fport`, `fid`, any `F-NAME` as `name`). */
  readonly data: Readonly<Record<string, string>>;
  /** Restored from the store at start (actions with `norestored` skip it). */
  readonly restored: boolean;
}

/** Jail counters for `<jail.banned>`, `<jail.banned_total>`, `<jail.found>`, `<jail.found_total>`. */
export interface JailCounters {
  readonly banned: number;
  readonly bannedTotal: number;
  readonly found: number;
  readonly foundTotal: number;
}

/** What the store knows about an address: for `<ipmatches>`, `<ipfailures>`, and the jail variants. */
export interface AddressHistory {
  readonly matches: readonly string[];
  readonly failures: number;
}

/** The jail an action serves, and what it can tell about it. Optional parts fall back to the ban. */
export interface JailContext {
  readonly name: string;
  /** The jail's ban time, for `<bantime>` in commands that have no ban (start, stop...). */
  readonly banTime?: number;
  counters?(): JailCounters;
  /** Bans of `ip` merged from the store: in all jails, or in this jail only. */
  history?(ip: string, allJails: boolean): Promise<AddressHistory | undefined>;
}

/** Where actions report. Messages follow fail2ban's wording where an admin may grep for it. */
export interface ActionLog {
  error(message: string): void;
  warn(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export const SILENT_LOG: ActionLog = Object.freeze({
  error() {}, warn() {}, notice() {}, info() {}, debug() {},
});

/**
 * One action of a jail. Every method is asynchronous and resolves when the firewall (or
 * whatever the action drives) has done it; a failure rejects with a LogjailError. Calls are
 * applied in the order they are made (an action queues its own work), so a caller may issue a
 * ban and the unban of the same address without waiting in between.
 */
export interface Action {
  /** The action's name in its jail (actname). */
  readonly name: string;
  /** Skip bans restored from the store. */
  readonly norestored: boolean;
  /** Has something to run when a ban is prolonged. */
  readonly prolongable: boolean;
  /** Can remove all its bans at once (otherwise the caller unbans one by one). */
  readonly hasFlush: boolean;
  /** Raised when the action found its firewall state lost and repaired it: older bans need a reban. */
  readonly banEpoch: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  ban(ban: Ban): Promise<void>;
  reban(ban: Ban): Promise<void>;
  prolong(ban: Ban): Promise<void>;
  unban(ban: Ban): Promise<void>;
  flush(): Promise<void>;
  reload(): Promise<void>;
  /** Check the firewall state, repair it when lost; false when it is broken and could not be repaired. */
  consistencyCheck(beforeRepair?: () => boolean): Promise<boolean>;
}
