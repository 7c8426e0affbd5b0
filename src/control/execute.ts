/**
 * Runs one control command against the daemon's Controller and returns the answer as plain JSON
 * data. The shapes below are the `result` of the socket's answers and what `--json` prints: their
 * keys are stable (new keys may be added, none renamed).
 */
import { isIP } from 'node:net';
import { LogjailError } from '../errors.js';
import type { BannedEntry, Controller, JailSetting, JailStatus } from './controller.js';
import type { Command } from './command.js';
import { clip } from './protocol.js';

export interface PingResult { readonly reply: 'pong' }
export interface VersionResult { readonly version: string }
export interface StopResult { readonly stopping: true }
export interface ServerStatusResult { readonly jails: readonly string[] }
/** The daemon's JailStatus; `status JAIL short` leaves out `actions.banned`. */
export interface JailStatusResult extends Omit<JailStatus, 'actions'> {
  readonly actions: Omit<JailStatus['actions'], 'banned'> & { readonly banned?: readonly string[] };
}
export interface BanResult { readonly jail: string; readonly requested: number; readonly banned: number }
/** jail null: every jail. */
export interface UnbanResult { readonly jail: string | null; readonly unbanned: number }
export interface BannedResult { readonly banned: readonly BannedEntry[] }
export interface ReloadResult { readonly jail: string | null; readonly reloaded: boolean }
/**
 * `get`/`set`: value as the daemon gives it; for `get JAIL banned` the addresses (or 1/0 per
 * address asked about), for `get JAIL banip` the addresses by end of ban (with --with-time
 * objects {ip, since, until, count}, times in epoch seconds, until null for ever).
 */
export interface SettingResult { readonly jail: string; readonly setting: JailSetting | 'banip'; readonly value: unknown }

export type CommandResult =
  | PingResult | VersionResult | StopResult | ServerStatusResult | JailStatusResult | BanResult
  | UnbanResult | BannedResult | ReloadResult | SettingResult;

export async function executeCommand(c: Controller, cmd: Command): Promise<CommandResult> {
  switch (cmd.kind) {
    case 'ping': return { reply: 'pong' };
    case 'version': return { version: c.version() };
    case 'stop':
      await c.stop();
      return { stopping: true };
    case 'status': return { jails: [...c.jails()] };
    case 'jailStatus': return jailStatus(c, requireJail(c, cmd.jail), cmd.short);
    case 'ban': {
      const jail = requireJail(c, cmd.jail);
      return { jail, requested: cmd.ips.length, banned: await c.ban(jail, cmd.ips) };
    }
    case 'unban': return unban(c, cmd.jail, cmd.ips, cmd.reportAbsent);
    case 'unbanAll': {
      const jail = cmd.jail === null ? null : requireJail(c, cmd.jail);
      return { jail, unbanned: await c.unbanAll(jail) };
    }
    case 'banned': return { banned: banned(c, cmd.filters) };
    case 'reload': {
      if (cmd.jail !== null && cmd.ifExists && !c.jails().includes(cmd.jail)) return { jail: cmd.jail, reloaded: false };
      if (cmd.unban && (cmd.jail === null || c.jails().includes(cmd.jail))) await c.unbanAll(cmd.jail);
      await c.reload(cmd.jail);
      return { jail: cmd.jail, reloaded: true };
    }
    case 'get': {
      const jail = requireJail(c, cmd.jail);
      return { jail, setting: cmd.setting, value: c.get(jail, cmd.setting) };
    }
    case 'getBanned': {
      const jail = requireJail(c, cmd.jail);
      const ips = c.banned(jail).map((e) => e.ip);
      if (cmd.ips.length === 0) return { jail, setting: 'banned', value: ips };
      const set = new Set(ips);
      return { jail, setting: 'banned', value: cmd.ips.map((ip) => (set.has(ip) ? 1 : 0)) };
    }
    case 'getBanip': {
      const jail = requireJail(c, cmd.jail);
      const list = [...c.banned(jail)].sort(byEndOfBan);
      return { jail, setting: 'banip', value: cmd.withTime ? list.map(entry) : list.map((e) => e.ip) };
    }
    case 'set': {
      const jail = requireJail(c, cmd.jail);
      return { jail, setting: cmd.setting, value: await c.set(jail, cmd.setting, cmd.value) };
    }
  }
}

function requireJail(c: Controller, jail: string): string {
  const running = c.jails();
  if (running.includes(jail)) return jail;
  throw new LogjailError('JAIL_UNKNOWN', `there is no jail "${clip(jail)}" running`, {},
    `running jails: ${running.join(', ') || 'none'}`);
}

function jailStatus(c: Controller, jail: string, short: boolean): JailStatusResult {
  const s = c.status(jail);
  // copied field by field: the answer has exactly the documented keys, whatever else the daemon keeps
  const filter = {
    currentlyFailed: s.filter.currentlyFailed,
    totalFailed: s.filter.totalFailed,
    files: [...s.filter.files],
    ...(s.filter.journalMatches !== undefined ? { journalMatches: [...s.filter.journalMatches] } : {}),
  };
  const actions = {
    currentlyBanned: s.actions.currentlyBanned,
    totalBanned: s.actions.totalBanned,
    ...(short ? {} : { banned: [...s.actions.banned] }),
  };
  return { name: s.name, filter, actions };
}

async function unban(c: Controller, jailArg: string | null, ips: readonly string[], reportAbsent: boolean): Promise<UnbanResult> {
  let jail: string | null = null;
  if (jailArg !== null) jail = requireJail(c, jailArg);
  else if (isIP(ips[0]!) === 0 && c.jails().includes(ips[0]!)) {
    throw new LogjailError('CONTROL_COMMAND', `"${clip(ips[0]!)}" is a jail, not an address: "unban" lifts bans in every jail`, {},
      `to unban in one jail write "unban --jail ${clip(ips[0]!)} IP..." (or fail2ban's "set ${clip(ips[0]!)} unbanip IP...")`);
  }
  if (!reportAbsent) return { jail, unbanned: await c.unban(jail, ips) };
  // one at a time, like fail2ban: an address (or network) that lifted nothing is reported, the others are unbanned
  let unbanned = 0;
  const absent: string[] = [];
  for (const ip of ips) {
    const n = await c.unban(jail, [ip]);
    unbanned += n;
    if (n === 0) absent.push(ip);
  }
  if (absent.length > 0) {
    const shown = absent.slice(0, 20).map((ip) => clip(ip)).join(', ') + (absent.length > 20 ? `, … (${absent.length} in all)` : '');
    throw new LogjailError('CONTROL_NOT_BANNED', `not banned${jail === null ? '' : ` in ${jail}`}: ${shown}; ${unbanned} other ban(s) lifted`);
  }
  return { jail, unbanned };
}

function banned(c: Controller, filters: readonly string[]): BannedEntry[] {
  const running = new Set(c.jails());
  const jails = filters.filter((f) => running.has(f));
  const ips = filters.filter((f) => !running.has(f));
  let list = (jails.length === 1 ? c.banned(jails[0]!) : c.banned(null)).map(entry);
  if (jails.length > 1) {
    const wanted = new Set(jails);
    list = list.filter((e) => wanted.has(e.jail));
  }
  if (ips.length > 0) {
    const wanted = new Set(ips);
    list = list.filter((e) => wanted.has(e.ip));
    for (const ip of ips) {
      // an id that is no address and matches no ban is most likely a mistyped jail
      if (isIP(ip) === 0 && !list.some((e) => e.ip === ip)) {
        throw new LogjailError('JAIL_UNKNOWN', `"${clip(ip)}" is neither a running jail nor a banned address`, {},
          `running jails: ${[...running].join(', ') || 'none'}`);
      }
    }
  }
  return list;
}

function entry(e: BannedEntry): BannedEntry {
  return { jail: e.jail, ip: e.ip, since: e.since, until: e.until, count: e.count };
}

/** Soonest end of ban first, bans for ever last (fail2ban's order for `get JAIL banip`). */
function byEndOfBan(a: BannedEntry, b: BannedEntry): number {
  const ea = a.until ?? Infinity;
  const eb = b.until ?? Infinity;
  return ea === eb ? a.since - b.since : ea < eb ? -1 : 1;
}
