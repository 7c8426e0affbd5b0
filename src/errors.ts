/**
 * The one catalogue of logjail's errors.
 *
 * Every error a user can meet has a stable code (never reused), a one-line title and a hint
 * that says how to fix it. docs/errors.md documents each code; a test fails when the two disagree.
 * Codes are grouped by area: LJ1xx configuration files, LJ2xx regular expressions,
 * LJ3xx dates, LJ4xx filters, LJ5xx command line, LJ6xx runtime (sources, actions, store, control).
 */

export interface ErrorSpec {
  readonly code: string;
  readonly title: string;
  readonly hint: string;
}

function spec(code: string, title: string, hint: string): ErrorSpec {
  return Object.freeze({ code, title, hint });
}

export const ERRORS = Object.freeze({
  // ---- configuration files (LJ1xx) ----
  CONFIG_SYNTAX: spec('LJ101', 'configuration file syntax error',
    'each line must be a [section] header, "key = value", an indented continuation line, or a comment starting with # or ;'),
  CONFIG_DUPLICATE: spec('LJ102', 'duplicate section or key in one file',
    'remove one of the two definitions; to override a value, put it in a .local file instead'),
  CONFIG_INTERPOLATION: spec('LJ103', 'cannot resolve %(name)s reference',
    'define the referenced key in this section or in [DEFAULT], or write a literal percent sign as %%'),
  CONFIG_INTERPOLATION_DEPTH: spec('LJ104', '%(name)s references nest too deeply or form a loop',
    'break the loop: a key must not refer back to itself through other keys'),
  CONFIG_TAG_RECURSION: spec('LJ105', '<tag> substitution does not terminate',
    'a <tag> refers to itself through other tags; give one of them a literal value'),
  CONFIG_INCLUDE: spec('LJ106', 'included file not found',
    'fix the path in [INCLUDES] before/after (relative paths are relative to the including file)'),
  CONFIG_MISSING_FILE: spec('LJ107', 'configuration file not found',
    'check the name and the --config directory; filters live in filter.d/NAME.conf, actions in action.d/NAME.conf'),
  CONFIG_OPTIONS: spec('LJ108', 'malformed name[key=value, ...] options',
    'write options as name[key=value, key2="value, with commas"]; quote values containing , or ]'),
  CONFIG_VALUE: spec('LJ109', 'invalid value',
    'see the documentation of the key for the accepted values'),
  CONFIG_UNKNOWN_KEY: spec('LJ110', 'unknown key',
    'check the spelling; the nearest known key is suggested'),
  CONFIG_DURATION: spec('LJ111', 'invalid duration',
    'use seconds or a duration such as "10m", "1h30m", "2 days", "1w"'),
  CONFIG_READ: spec('LJ112', 'cannot read configuration file',
    'check that the file exists and is readable by the user running logjail'),
  CONFIG_PYTHON_ACTION: spec('LJ113', 'Python action not supported',
    'logjail runs command actions (action.d/*.conf) only; replace the .py action by a command action with the same effect'),
  CONFIG_JAIL_NAME: spec('LJ114', 'unsuitable jail name',
    'keep jail names under 26 characters (firewall chain names are limited) and do not use the reserved name "--all"'),
  CONFIG_ACTION_NAME: spec('LJ115', 'two actions of a jail have the same name',
    'give one of them another name, e.g. iptables[name=sshd-udp] or iptables[actname=iptables-udp]'),
  CONFIG_NO_LOGFILE: spec('LJ116', 'no log file found for a jail',
    'check the logpath of the jail; fail2ban refuses to start when an enabled jail has no existing log file'),

  // ---- regular expressions (LJ2xx) ----
  REGEX_SYNTAX: spec('LJ201', 'invalid regular expression',
    'fix the pattern; logjail accepts Python (fail2ban) regular expression syntax'),
  REGEX_UNSUPPORTED: spec('LJ202', 'regular expression construct cannot be translated exactly',
    'rewrite this part of the pattern; the message names the construct'),
  REGEX_NO_FAILURE_ID: spec('LJ203', 'failregex has no failure-id group',
    'a failregex (or the prefregex) must contain <HOST>, <ADDR>, <IP4>, <IP6>, <DNS>, <F-ID> or <F-MLFID>'),
  REGEX_EMPTY: spec('LJ204', 'empty regular expression',
    'remove the empty line or give it a pattern'),

  // ---- dates (LJ3xx) ----
  DATE_PATTERN: spec('LJ301', 'invalid datepattern',
    'use strptime directives (%Y-%m-%d %H:%M:%S), a regex with {DATE}, or one of Epoch, LEpoch, TAI64N, {^LN-BEG}, {NONE}'),
  DATE_TIMEZONE: spec('LJ302', 'invalid time zone',
    'use UTC, a fixed offset such as UTC+0200 or -05:00, or an abbreviation such as CET'),

  // ---- filters (LJ4xx) ----
  FILTER_NOT_FOUND: spec('LJ401', 'filter not found',
    'check the filter name; it must match a file filter.d/NAME.conf in the configuration directory'),
  FILTER_DEFINITION: spec('LJ402', 'filter definition is incomplete',
    'a filter needs a [Definition] section with at least one failregex'),
  FILTER_OPTION: spec('LJ403', 'invalid filter option',
    'see the filter documentation; maxlines must be a positive integer, usedns one of yes, no, warn, raw'),

  // ---- command line (LJ5xx) ----
  USAGE: spec('LJ501', 'bad usage',
    'run "logjail help" for the commands and their options'),
  INPUT_NOT_FOUND: spec('LJ502', 'log file not found',
    'give an existing file path, or a single log line in quotes'),
  INPUT_READ: spec('LJ503', 'cannot read the log file',
    'check that the file is readable by the user running logjail (permissions), or run it as a user who may read it'),

  // ---- runtime (LJ6xx) ----
  LINE_TIMEOUT: spec('LJ601', 'a log line took too long to match and was skipped',
    'a regular expression backtracks badly on this input; anchor it and avoid nested quantifiers such as (a*)*'),
  SOURCE_READ: spec('LJ611', 'cannot read a log file',
    'check that the file and its folders are readable by the user running logjail (permissions, AppArmor/SELinux)'),
  SOURCE_WATCH: spec('LJ612', 'cannot watch a log file for changes; polling it instead',
    'raise the inotify limits (sysctl fs.inotify.max_user_watches and max_user_instances) or set backend = polling'),
  SOURCE_MISSING: spec('LJ613', 'log file does not exist (yet)',
    'logjail starts following the file as soon as it appears; if it should exist already, check the logpath'),
  JOURNAL_READ: spec('LJ614', 'cannot read the systemd journal',
    'check that journalctl is installed, that journalpath/journalfiles exist, and that logjail may read the journal (root or group systemd-journal)'),
  ACTION_COMMAND_FAILED: spec('LJ621', 'an action command failed',
    'run the command shown in the log by hand as root to see why; check the action file and the parameters the jail gives it'),
  ACTION_TIMEOUT: spec('LJ622', 'an action command took too long and was killed',
    'find out why the command hangs (a lock, the network); if it is only slow, raise timeout in the action ([Init] timeout = 2m)'),
  ACTION_BAD_ADDRESS: spec('LJ623', 'a ban id is not an address the firewall can block',
    'logjail-nftables blocks IPv4/IPv6 addresses and networks only; a filter that captures other ids (F-ID, host names with usedns = no) needs a command action'),
  ACTION_NFT: spec('LJ624', 'nft refused the firewall change',
    'check that nftables is installed (the nft parameter of logjail-nftables gives its path) and that logjail runs as root; the message shows what nft said'),
  JAIL_UNKNOWN: spec('LJ660', 'no such jail',
    'run "logjail status" for the running jails; a jail must be enabled and load without error'),
  STORE_OPEN: spec('LJ650', 'cannot open the database',
    'check dbfile in fail2ban.conf/.local: its folder must be writable by root; use :memory: to keep nothing'),
  CONTROL_REQUEST: spec('LJ670', 'malformed control request',
    'send one JSON object per line, at most 64 KiB: {"id": 1, "cmd": ["status", "sshd"]}; the logjail client commands do this for you'),
  CONTROL_COMMAND: spec('LJ671', 'unknown control command or wrong arguments',
    'run "logjail help" for the commands and their arguments'),
  CONTROL_UNREACHABLE: spec('LJ672', 'the logjail daemon is not reachable',
    'start it with "systemctl start logjail" (or "logjail server" in the foreground); if it uses another socket, give --socket PATH or set LOGJAIL_SOCKET'),
  CONTROL_IN_USE: spec('LJ673', 'another logjail daemon answers on the control socket',
    'stop the running daemon first ("logjail stop"), or give this one another --socket path'),
  CONTROL_SOCKET: spec('LJ674', 'cannot create the control socket',
    'run the daemon as root, check that the folder of the socket can be created, and keep the path under 108 bytes'),
  CONTROL_BUSY: spec('LJ675', 'too many control connections at once',
    'retry in a moment; a script that opens many connections should reuse one or wait for the answers'),
  CONTROL_NOT_BANNED: spec('LJ676', 'address is not banned',
    '"logjail banned JAIL" lists the banned addresses; leave out --report-absent to ignore addresses that are not banned'),
  INTERNAL: spec('LJ699', 'internal error',
    'this is a bug in logjail; please report it with the command line and the input'),
});

export type ErrorKey = keyof typeof ERRORS;

/** Where in the configuration a problem was found. */
export interface Place {
  readonly file?: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;
}

/** Exit codes with meaning (sysexits.h). */
export const EXIT = Object.freeze({
  OK: 0,
  FAILED: 1,
  USAGE: 64,
  DATAERR: 65,
  NOINPUT: 66,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  CONFIG: 78,
});

/**
 * An error a user can act on. `detail` says what is wrong and the current value;
 * the catalogue entry supplies the code and the hint (which `hint` may sharpen).
 */
export class LogjailError extends Error {
  readonly code: string;
  readonly spec: ErrorSpec;
  readonly place: Place;
  readonly detail: string;
  readonly hint: string;

  constructor(key: ErrorKey, detail: string, place: Place = {}, hint?: string) {
    const s = ERRORS[key];
    super(formatMessage(s, detail, place));
    this.name = 'LogjailError';
    this.code = s.code;
    this.spec = s;
    this.place = place;
    this.detail = detail;
    this.hint = hint ?? s.hint;
  }

  /** The same error seen from an outer place (e.g. a filter file read for a jail). */
  withPlace(place: Place): LogjailError {
    const merged: Place = { ...place, ...stripUndefined(this.place) };
    return new LogjailError(keyOf(this.spec), this.detail, merged, this.hint);
  }

  /** Exit code a command should use for this error. */
  get exitCode(): number {
    const n = Number(this.code.slice(2, 3));
    if (n >= 1 && n <= 4) return EXIT.CONFIG;
    if (this.code === ERRORS.USAGE.code) return EXIT.USAGE;
    if (this.code === ERRORS.INPUT_NOT_FOUND.code || this.code === ERRORS.INPUT_READ.code) return EXIT.NOINPUT;
    return EXIT.FAILED;
  }

  /** Multi-line text for a terminal: "error LJ101: file:line: [section] key: detail" + hint. */
  render(): string {
    return `${this.message}\n  hint: ${this.hint}`;
  }
}

function stripUndefined(p: Place): Place {
  const out: { -readonly [K in keyof Place]: Place[K] } = {};
  if (p.file !== undefined) out.file = p.file;
  if (p.line !== undefined) out.line = p.line;
  if (p.section !== undefined) out.section = p.section;
  if (p.key !== undefined) out.key = p.key;
  return out;
}

function keyOf(s: ErrorSpec): ErrorKey {
  for (const k of Object.keys(ERRORS) as ErrorKey[]) if (ERRORS[k] === s) return k;
  return 'INTERNAL';
}

export function formatPlace(p: Place): string {
  let where = '';
  if (p.file !== undefined) where += p.file + (p.line !== undefined ? `:${p.line}` : '');
  if (p.section !== undefined) where += (where ? ': ' : '') + `[${p.section}]`;
  if (p.key !== undefined) where += (where ? ' ' : '') + p.key;
  return where;
}

function formatMessage(s: ErrorSpec, detail: string, p: Place): string {
  const where = formatPlace(p);
  return `error ${s.code}: ${where ? where + ': ' : ''}${s.title}: ${detail}`;
}

/** The catalogue key of an error code ("LJ201" → "REGEX_SYNTAX"), e.g. for errors sent between threads. */
export function keyOfCode(code: string): ErrorKey {
  for (const k of Object.keys(ERRORS) as ErrorKey[]) if (ERRORS[k].code === code) return k;
  return 'INTERNAL';
}

export function isLogjailError(e: unknown): e is LogjailError {
  return e instanceof LogjailError;
}
