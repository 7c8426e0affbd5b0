/**
 * The typed, frozen results of reading a fail2ban configuration tree. Durations are seconds
 * (fractions possible, as in fail2ban); -1 as a ban time means "forever".
 */
import type { LogjailError, Place } from '../errors.js';
import type { ConfigWarning } from './diagnostics.js';

/** A filter (filter.d/NAME) resolved for one jail, or on its own for `logjail regex`. */
export interface FilterDefinition {
  /** As given: "sshd", "/etc/x/y.conf", ... */
  readonly name: string;
  /** The main file read (NAME.conf, or the .local when there is no .conf). */
  readonly file: string;
  /** Every file merged, in order. */
  readonly files: readonly string[];
  /** Regexes keep fail2ban's tags (<HOST>, <F-USER>, ...) for the filter engine to expand. */
  readonly prefregex?: string;
  readonly failregex: readonly string[];
  readonly ignoreregex: readonly string[];
  /** Lines in the multi-line buffer (1 = single-line filter). */
  readonly maxlines: number;
  /** Free of %-interpolation ("%Y" not "%%Y"); one pattern per line; absent = default templates. */
  readonly datepattern?: string;
  /** One entry per journalmatch line, split like a shell does ("A=1 + B=2" → ["A=1", "+", "B=2"]). */
  readonly journalmatch: readonly (readonly string[])[];
  /** usedns as the filter sets it (a jail's usedns wins). */
  readonly usedns?: string;
  /** The parameters after resolution: jail parameters over [Init] (plus logtype). */
  readonly options: Readonly<Record<string, string>>;
  /** Where each value was written (one Place per regex / journalmatch line). */
  readonly places: FilterPlaces;
}

export interface FilterPlaces {
  readonly prefregex?: Place;
  readonly failregex: readonly Place[];
  readonly ignoreregex: readonly Place[];
  readonly maxlines?: Place;
  readonly datepattern?: Place;
  readonly journalmatch: readonly Place[];
}

/** The action commands, tags resolved at load time; run-time tags (<ip>, <family>, ...) remain. */
export interface ActionCommands {
  readonly actionstart?: string;
  readonly actionstop?: string;
  readonly actionflush?: string;
  readonly actionreload?: string;
  readonly actioncheck?: string;
  readonly actionrepair?: string;
  readonly actionban?: string;
  readonly actionprolong?: string;
  readonly actionreban?: string;
  readonly actionunban?: string;
}

export interface ActionDefinition {
  /** The file name as written in the jail ("iptables-multiport", "smtp.py"). */
  readonly file: string;
  /** The action's name in its jail (unique per jail): actname, e.g. "iptables-SSH". */
  readonly actname: string;
  /** Main file read (absent for python actions that were not found). */
  readonly path: string;
  /**
   * True for a Python action (`x.py`): logjail recognises but cannot run it
   * (`properties` then holds the keyword arguments given in the jail).
   */
  readonly python: boolean;
  /** A ban action built into logjail (no file, no shell), e.g. "logjail-nftables". */
  readonly builtin?: boolean;
  readonly commands: ActionCommands;
  /**
   * Everything fail2ban hands to its action object: the action* commands above plus every
   * parameter and [Init] value (raw: their tags are resolved at run time, with `replaceTags`),
   * including conditional variants such as "blocktype?family=inet6".
   */
  readonly properties: Readonly<Record<string, string>>;
  /** Per-command timeout in seconds (default 60). */
  readonly timeout: number;
  /** Skip tickets restored from the database at start. */
  readonly norestored: boolean;
  /** Run actionstart lazily, at the first ban of each address family. Absent = decide by conditionals. */
  readonly startOnDemand?: boolean;
  readonly repairOnUnban?: boolean;
  /** True when the action has `?family=` variants (its start is then on demand unless told otherwise). */
  readonly hasFamilyConditionals: boolean;
  readonly place: Place;
}

export interface LogPath {
  /** A path or a glob pattern (expanded when the jail starts). */
  readonly pattern: string;
  /** Start reading at the end of the file ("tail") rather than at the saved/first position. */
  readonly tail: boolean;
  readonly place: Place;
}

export interface BanTimeIncrement {
  readonly enabled: boolean;
  /** Raw expressions, evaluated by the jail (fail2ban evaluates them as Python). */
  readonly factor?: string;
  readonly formula?: string;
  readonly multipliers: readonly number[];
  readonly maxTime?: number;
  readonly rndTime?: number;
  readonly overallJails: boolean;
}

export interface IgnoreCache {
  readonly key: string;
  readonly maxCount: number;
  readonly maxTime: number;
}

export type UseDns = 'yes' | 'warn' | 'no' | 'raw';

export interface JailConfig {
  readonly name: string;
  readonly filter: FilterDefinition | null;
  /** The filter reference as written after interpolation: "sshd[mode=aggressive]". */
  readonly filterSpec: { readonly name: string; readonly params: Readonly<Record<string, string>> } | null;
  readonly backend: { readonly name: string; readonly params: Readonly<Record<string, string>> };
  readonly logpaths: readonly LogPath[];
  readonly maxRetry: number;
  readonly maxMatches: number;
  readonly findTime: number;
  readonly banTime: number;
  readonly banTimeIncrement: BanTimeIncrement;
  readonly ignoreSelf: boolean;
  readonly ignoreIp: readonly string[];
  readonly ignoreCommand?: string;
  readonly ignoreCache?: IgnoreCache;
  readonly useDns: UseDns;
  readonly logEncoding: string;
  readonly logTimezone?: string;
  readonly actions: readonly ActionDefinition[];
  /** The resolved values of every option fail2ban reads for a jail (strings as written). */
  readonly options: Readonly<Record<string, string>>;
  readonly place: Place;
}

/** One section of jail.conf/jail.local/jail.d. */
export interface JailEntry {
  readonly name: string;
  readonly enabled: boolean;
  /** Raw (not interpolated) options of the section itself. */
  readonly raw: Readonly<Record<string, string>>;
  /**
   * The options fail2ban reads for a jail, resolved (strings as written after %(...)s). For a
   * disabled or broken jail this is best effort: options that cannot be resolved are left out.
   */
  readonly options: Readonly<Record<string, string>>;
  /** The typed configuration, for enabled jails that load without error. */
  readonly config?: JailConfig;
  /** Why an enabled jail cannot be used (fail2ban skips such a jail). */
  readonly error?: LogjailError;
  readonly place: Place;
}

export interface ServerConfig {
  readonly loglevel: string;
  readonly logtarget: string;
  readonly syslogsocket: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly allowipv6: string;
  /** Path, ":memory:" or "None" (no database). */
  readonly dbfile: string;
  readonly dbpurgeage: number;
  readonly dbmaxmatches: number;
  /** [Thread] stacksize in KiB, when set. */
  readonly stacksize?: number;
  readonly files: readonly string[];
}

export interface LoadedConfig {
  readonly baseDir: string;
  readonly server: ServerConfig;
  readonly jails: readonly JailEntry[];
  readonly warnings: readonly ConfigWarning[];
}
