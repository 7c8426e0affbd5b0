/**
 * The dynamic tags fail2ban offers to action commands, computed only when a command uses them:
 * for a ban (`banTags`), for the commands without a ban (`operationTags`: start, stop, flush,
 * reload see an empty ban at the current time) and for check/repair (`familyTags`: only
 * `<family>`). Numbers print as fail2ban prints them (`<time>` as a Python float, "1700000000.0").
 */
import { parseIPv4, parseIPv6 } from '../filter/ip.js';
import type { TagValues } from './dynamicTags.js';
import type { HostNames } from './hostNames.js';
import type { Ban, JailContext, JailCounters } from './types.js';

/** fail2ban's default ban time, for `<bantime>` when the jail does not say. */
const DEFAULT_BANTIME = 600;
const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

/** Tags every command knows. */
function commonTag(tag: string, hosts: HostNames): string | Promise<string> | undefined {
  switch (tag) {
    case 'fq-hostname': return hosts.fqHostname();
    case 'sh-hostname': return hosts.shHostname();
    default: return undefined;
  }
}

function counterTag(tag: string, jail: JailContext): string | undefined {
  const key = COUNTER_TAGS[tag];
  if (key === undefined) return undefined;
  const c = jail.counters?.();
  return String(c === undefined ? 0 : c[key]);
}

const COUNTER_TAGS: Readonly<Record<string, keyof JailCounters>> = {
  'jail.banned': 'banned',
  'jail.banned_total': 'bannedTotal',
  'jail.found': 'found',
  'jail.found_total': 'foundTotal',
};

/** The tags of a ban. */
export function banTags(ban: Ban, jail: JailContext, hosts: HostNames): TagValues {
  let history: Map<boolean, Promise<{ matches: string; failures: string }>> | undefined;
  // <ipmatches>, <ipfailures> (all jails) and the jail variants: from the store, else this ban
  const fromHistory = (all: boolean): Promise<{ matches: string; failures: string }> => {
    history ??= new Map();
    let h = history.get(all);
    if (h === undefined) {
      const own = { matches: ban.matches.join('\n'), failures: String(ban.failures) };
      h = jail.history === undefined ? Promise.resolve(own)
        : jail.history(ban.ip, all).then(
          (r) => (r === undefined ? own : { matches: r.matches.join('\n'), failures: String(r.failures) }),
          () => own);
      history.set(all, h);
    }
    return h;
  };
  return {
    fields: ban.data,
    value(tag) {
      switch (tag) {
        case 'ip': return ban.ip;
        case 'family': return ban.family ?? '';
        case 'ip-rev': return reversePointer(ban.ip);
        case 'ip-host': return hosts.ipHost(ban.ip);
        case 'fid': return ban.id;
        case 'failures': return String(ban.failures);
        case 'time': return ban.restored ? String(Math.round(ban.time)) : pythonFloat(ban.time);
        case 'bantime': return String(Math.trunc(ban.banTime));
        case 'bancount': return String(ban.banCount);
        case 'matches': return ban.matches.join('\n');
        case 'restored': return ban.restored ? '1' : '0';
        case 'ipmatches': return fromHistory(true).then((h) => h.matches);
        case 'ipjailmatches': return fromHistory(false).then((h) => h.matches);
        case 'ipfailures': return fromHistory(true).then((h) => h.failures);
        case 'ipjailfailures': return fromHistory(false).then((h) => h.failures);
        case 'raw-ticket': return describe(ban);
        default: return counterTag(tag, jail) ?? commonTag(tag, hosts);
      }
    },
  };
}

/** The tags of start, stop, flush and reload: an empty ban at `now`, for one address family. */
export function operationTags(family: string, now: number, jail: JailContext, hosts: HostNames): TagValues {
  return {
    fields: NO_FIELDS,
    value(tag) {
      switch (tag) {
        case 'ip': case 'fid': case 'ip-rev': case 'matches': case 'ipmatches': case 'ipjailmatches': return '';
        case 'family': return family;
        case 'ip-host': return 'None';
        case 'failures': case 'bancount': case 'restored': case 'ipfailures': case 'ipjailfailures': return '0';
        case 'time': return pythonFloat(now);
        case 'bantime': return String(Math.trunc(jail.banTime ?? DEFAULT_BANTIME));
        case 'raw-ticket': return `Ban(ip='', time=${pythonFloat(now)})`;
        default: return counterTag(tag, jail) ?? commonTag(tag, hosts);
      }
    },
  };
}

/** The tags of actioncheck and actionrepair: only the family. */
export function familyTags(family: string, hosts: HostNames): TagValues {
  return {
    fields: NO_FIELDS,
    value: (tag) => (tag === 'family' ? family : commonTag(tag, hosts)),
  };
}

/** Python's str(float): "1700000000.0", "1700000000.25". */
export function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * The PTR name of an address without the arpa suffix, as fail2ban's `<ip-rev>`:
 * "4.3.2.1." for 1.2.3.4, 32 reversed nibbles for IPv6, "" for anything else.
 */
export function reversePointer(ip: string): string {
  const slash = ip.indexOf('/');
  const addr = slash < 0 ? ip : ip.slice(0, slash);
  const v4 = parseIPv4(addr);
  if (v4 !== null) return v4.slice().reverse().join('.') + '.';
  const v6 = parseIPv6(addr);
  if (v6 === null) return '';
  let hex = '';
  for (const w of v6) hex += w.toString(16).padStart(4, '0');
  return [...hex].reverse().join('.') + '.';
}

function describe(ban: Ban): string {
  return `BanTicket: ip=${ban.ip} time=${pythonFloat(ban.time)} bantime=${ban.banTime} bancount=${ban.banCount} ` +
    `#attempts=${ban.failures} matches=${JSON.stringify(ban.matches)}`;
}
