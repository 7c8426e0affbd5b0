/**
 * The control commands: a request's token list read into one typed command. Both the daemon (for
 * each request) and the client (before connecting, so bad usage is reported without a daemon)
 * use it. logjail's own forms and fail2ban-client's are accepted:
 *
 *   ping | version | stop
 *   status [JAIL [basic|short]]
 *   ban JAIL IP...                         set JAIL banip IP...
 *   unban IP... | unban --all              (in every jail, like fail2ban)
 *   unban --jail JAIL IP...|--all          set JAIL unbanip [--report-absent] IP...
 *   banned [JAIL|IP...]
 *   reload [--unban] [--all] | reload [--unban] [--if-exists] JAIL
 *   get JAIL SETTING | get JAIL banned [IP...] | get JAIL banip [SEP|--with-time]
 *   set JAIL SETTING VALUE
 *
 * `unban JAIL IP...` is not a form: fail2ban reads every argument of `unban` as an address, and a
 * jail name taken for an address (or the reverse) would silently do the wrong thing. The daemon
 * answers that form with a pointer to `--jail`.
 */
import { LogjailError } from '../errors.js';
import type { JailSetting } from './controller.js';
import { clip } from './protocol.js';

export const JAIL_SETTINGS = [
  'maxretry', 'findtime', 'bantime', 'maxmatches', 'maxlines', 'usedns', 'ignoreip', 'ignoreself',
  'ignorecommand', 'logpath', 'failregex', 'ignoreregex', 'prefregex', 'datepattern', 'logtimezone',
  'journalmatch', 'actions', 'banned', 'idle',
] as const satisfies readonly JailSetting[];

// fails to compile when controller.ts gains a setting this list lacks
const everySettingListed: [Exclude<JailSetting, (typeof JAIL_SETTINGS)[number]>] extends [never] ? true : false = true;
void everySettingListed;

export type Command =
  | { readonly kind: 'ping' }
  | { readonly kind: 'version' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'status' }
  | { readonly kind: 'jailStatus'; readonly jail: string; readonly short: boolean }
  | { readonly kind: 'ban'; readonly jail: string; readonly ips: readonly string[] }
  /** jail null: in every jail. */
  | { readonly kind: 'unban'; readonly jail: string | null; readonly ips: readonly string[]; readonly reportAbsent: boolean }
  | { readonly kind: 'unbanAll'; readonly jail: string | null }
  /** Each filter is a jail name or an address; resolved against the running jails. */
  | { readonly kind: 'banned'; readonly filters: readonly string[] }
  | { readonly kind: 'reload'; readonly jail: string | null; readonly unban: boolean; readonly ifExists: boolean }
  | { readonly kind: 'get'; readonly jail: string; readonly setting: JailSetting }
  /** Without ips: the banned addresses; with: 1 or 0 for each. */
  | { readonly kind: 'getBanned'; readonly jail: string; readonly ips: readonly string[] }
  | { readonly kind: 'getBanip'; readonly jail: string; readonly withTime: boolean; readonly separator: string }
  | { readonly kind: 'set'; readonly jail: string; readonly setting: JailSetting; readonly value: string };

export type CommandKind = Command['kind'];

function bad(detail: string): LogjailError {
  return new LogjailError('CONTROL_COMMAND', detail);
}

function usage(tokens: readonly string[], form: string): LogjailError {
  return bad(`"${clip(tokens.join(' '), 120)}" does not match ${form}`);
}

function isSetting(s: string): s is JailSetting {
  return (JAIL_SETTINGS as readonly string[]).includes(s);
}

function setting(name: string, verb: 'get' | 'set'): JailSetting {
  if (isSetting(name)) return name;
  const known = JAIL_SETTINGS.filter((s) => verb === 'get' || s !== 'banned').join(', ');
  throw bad(`"${clip(name)}" is not a jail setting logjail can ${verb}; known: ${known}${verb === 'get' ? ', banip' : ', banip, unbanip'}`);
}

/** A jail argument: present and not an option. */
function jailArg(tokens: readonly string[], i: number, form: string): string {
  const j = tokens[i];
  if (j === undefined || j === '' || j.startsWith('--')) throw usage(tokens, form);
  return j;
}

function noOptions(tokens: readonly string[], args: readonly string[], form: string): readonly string[] {
  for (const a of args) if (a.startsWith('--')) throw usage(tokens, form);
  return args;
}

export function parseCommand(tokens: readonly string[]): Command {
  const [verb, ...args] = tokens;
  switch (verb) {
    case 'ping':
      // fail2ban-client's "ping [TIMEOUT]": the time limit is the client's business
      if (args.length > 1 || (args.length === 1 && !/^\d+(\.\d+)?$/.test(args[0]!))) throw usage(tokens, 'ping');
      return { kind: 'ping' };
    case 'version':
      if (args.length > 0) throw usage(tokens, 'version');
      return { kind: 'version' };
    case 'stop':
      if (args.length > 0) throw bad('stopping one jail is not supported; "stop" stops the daemon, a jail is removed by disabling it and running "reload"');
      return { kind: 'stop' };
    case 'status':
      return parseStatus(tokens, args);
    case 'ban': {
      const form = 'ban JAIL IP...';
      const jail = jailArg(tokens, 1, form);
      const ips = noOptions(tokens, args.slice(1), form);
      if (ips.length === 0) throw usage(tokens, form);
      return { kind: 'ban', jail, ips };
    }
    case 'unban':
      return parseUnban(tokens, args);
    case 'banned':
      return { kind: 'banned', filters: noOptions(tokens, args, 'banned [JAIL|IP...]') };
    case 'reload':
      return parseReload(tokens, args);
    case 'get':
      return parseGet(tokens, args);
    case 'set':
      return parseSet(tokens, args);
    case undefined:
      throw bad('the command is empty');
    default:
      throw bad(`unknown command "${clip(verb)}"; commands: status, ban, unban, banned, reload, stop, get, set, ping, version`);
  }
}

function parseStatus(tokens: readonly string[], args: readonly string[]): Command {
  const form = 'status [JAIL [basic|short]]';
  if (args.length === 0) return { kind: 'status' };
  const jail = jailArg(tokens, 1, form);
  if (args.length === 1) return { kind: 'jailStatus', jail, short: false };
  const flavor = args[1];
  if (args.length > 2 || (flavor !== 'basic' && flavor !== 'short')) {
    if (flavor === 'cymru') throw bad('the "cymru" status (AS numbers by DNS) is not supported; use basic or short');
    throw usage(tokens, form);
  }
  return { kind: 'jailStatus', jail, short: flavor === 'short' };
}

function parseUnban(tokens: readonly string[], args: readonly string[]): Command {
  const form = 'unban IP...|--all, or unban --jail JAIL IP...|--all';
  let jail: string | null = null;
  let rest = args;
  if (rest[0] === '--jail') {
    jail = jailArg(tokens, 2, form);
    rest = rest.slice(2);
  }
  if (rest.length === 1 && rest[0] === '--all') return { kind: 'unbanAll', jail };
  if (rest.length === 0) throw usage(tokens, form);
  return { kind: 'unban', jail, ips: noOptions(tokens, rest, form), reportAbsent: false };
}

function parseReload(tokens: readonly string[], args: readonly string[]): Command {
  const form = 'reload [--unban] [--all] or reload [--unban] [--if-exists] JAIL';
  let unban = false;
  let ifExists = false;
  let all = false;
  const names: string[] = [];
  for (const a of args) {
    if (a === '--unban') unban = true;
    else if (a === '--if-exists') ifExists = true;
    else if (a === '--all') all = true;
    else if (a === '--restart') throw bad('reload --restart is not supported; "reload" stops and starts the jails it reloads, keeping their bans');
    else if (a.startsWith('--') || a === '') throw usage(tokens, form);
    else names.push(a);
  }
  if (names.length > 1 || (all && names.length > 0) || (ifExists && names.length === 0)) throw usage(tokens, form);
  return { kind: 'reload', jail: names[0] ?? null, unban, ifExists };
}

function parseGet(tokens: readonly string[], args: readonly string[]): Command {
  const form = 'get JAIL SETTING';
  if (args.length < 2) throw usage(tokens, form);
  const jail = jailArg(tokens, 1, form);
  const name = args[1]!;
  const extra = args.slice(2);
  if (name === 'banned') return { kind: 'getBanned', jail, ips: noOptions(tokens, extra, 'get JAIL banned [IP...]') };
  if (name === 'banip') {
    if (extra.length > 1) throw usage(tokens, 'get JAIL banip [SEPARATOR|--with-time]');
    const sep = extra[0];
    return { kind: 'getBanip', jail, withTime: sep === '--with-time', separator: sep === undefined || sep === '--with-time' ? ' ' : sep };
  }
  if (extra.length > 0) throw usage(tokens, form);
  return { kind: 'get', jail, setting: setting(name, 'get') };
}

function parseSet(tokens: readonly string[], args: readonly string[]): Command {
  const form = 'set JAIL SETTING VALUE';
  if (args.length < 2) throw usage(tokens, form);
  const jail = jailArg(tokens, 1, form);
  const name = args[1]!;
  const rest = args.slice(2);
  if (name === 'banip') {
    const f = 'set JAIL banip IP...';
    if (rest.length === 0) throw usage(tokens, f);
    return { kind: 'ban', jail, ips: noOptions(tokens, rest, f) };
  }
  if (name === 'unbanip') {
    const f = 'set JAIL unbanip [--report-absent] IP...';
    const reportAbsent = rest[0] === '--report-absent';
    const ips = reportAbsent ? rest.slice(1) : rest;
    if (ips.length === 0) throw usage(tokens, f);
    return { kind: 'unban', jail, ips: noOptions(tokens, ips, f), reportAbsent };
  }
  if (name === 'banned') throw bad('"banned" cannot be set; use "ban JAIL IP..." or "unban --jail JAIL IP..."');
  const s = setting(name, 'set');
  // one value: a regex or a command may contain spaces, so the client never joins words for us
  if (rest.length !== 1) throw bad(`set ${clip(jail)} ${s} takes exactly one value, got ${rest.length}; quote a value that contains spaces`);
  return { kind: 'set', jail, setting: s, value: rest[0]! };
}
