/**
 * What the built-in `logjail-nftables` action puts into the firewall for one jail, read from the
 * action's parameters and checked before anything reaches nft, and the nft scripts for it.
 *
 *   table inet logjail                                    (table = ..., shared by the jails)
 *     set addr4-NAME { type ipv4_addr; flags timeout; }   single addresses, per family
 *     set addr6-NAME { type ipv6_addr; flags timeout; }
 *     set net4-NAME  { ...; flags interval, timeout; }    networks (filters with <SUBNET>/cidr)
 *     set net6-NAME  { ...; flags interval, timeout; }
 *     chain jail-NAME { type filter hook input priority -1; }   hook = ..., priority = ...
 *       [meta l4proto { tcp } th dport { 22 }] ip saddr @addr4-NAME drop   (blocktype = drop|reject)
 *       ... one rule per set
 *
 * Each jail has its own base chain, so starting or stopping one jail never rewrites another's
 * rules, and starting is idempotent: the chain is re-created with its rules in one transaction
 * (elements live in the sets and are kept). NAME is the action's `name` (the jail's name).
 * `port`/`protocol` (which jail.conf passes to every ban action) limit the rules to those ports
 * like iptables-multiport; `type = allports` (or protocol = all, or no port) blocks everything.
 */
import { LogjailError } from '../../errors.js';
import type { ActionDefinition } from '../../config/types.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../../filter/ip.js';
import type { Family } from '../types.js';

export interface NftJailSpec {
  readonly table: string;
  readonly chain: string;
  /** Sets by kind: single addresses and networks, per family. */
  readonly sets: { readonly addr4: string; readonly addr6: string; readonly net4: string; readonly net6: string };
  readonly hook: string;
  readonly priority: string;
  readonly verdict: 'drop' | 'reject';
  /** nft text matching the ports ("meta l4proto { tcp } th dport { 22, 80 } "), or "" for all. */
  readonly portMatch: string;
  /** Path of the nft program. */
  readonly nft: string;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const TABLE_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const HOOKS = new Set(['input', 'forward', 'prerouting']);
const PRIORITY_RE = /^(?:[+-]?\d{1,4}|(?:raw|mangle|dstnat|filter|security)(?:\s*[+-]\s*\d{1,4})?)$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);
const PORT_NAME_RE = /^[A-Za-z][A-Za-z0-9._+-]{0,31}$/;
const PORT_RANGE_RE = /^(\d{1,5})\s*[:-]\s*(\d{1,5})$/;

/** Read and check the parameters (`logjail-nftables[table=..., hook=..., ...]`). */
export function nftJailSpec(def: ActionDefinition): NftJailSpec {
  const p = def.properties;
  const bad = (key: string, why: string): LogjailError =>
    new LogjailError('CONFIG_VALUE', `logjail-nftables ${key}: ${why}`, { ...def.place, key });
  const get = (key: string, dflt: string): string => (p[key] ?? dflt).trim();

  const name = get('name', '');
  if (!NAME_RE.test(name)) throw bad('name', `${JSON.stringify(name)} cannot name nftables sets (letters, digits, _ . - only)`);
  const table = get('table', 'logjail');
  if (!TABLE_RE.test(table)) throw bad('table', `${JSON.stringify(table)} is not a table name (letters, digits, _ . - only)`);
  const hook = get('hook', 'input').toLowerCase();
  if (!HOOKS.has(hook)) throw bad('hook', `${JSON.stringify(hook)}: use input, forward or prerouting`);
  const priority = get('priority', '-1');
  if (!PRIORITY_RE.test(priority)) throw bad('priority', `${JSON.stringify(priority)}: use a number or raw, mangle, dstnat, filter, security (+/- a number)`);
  const blocktype = get('blocktype', 'reject').toLowerCase();
  if (blocktype !== 'drop' && blocktype !== 'reject') throw bad('blocktype', `${JSON.stringify(blocktype)}: use drop or reject`);
  const nft = get('nft', 'nft');
  if (nft === '' || /[\s\0]/.test(nft)) throw bad('nft', `${JSON.stringify(nft)} is not a program path`);

  return Object.freeze({
    table,
    chain: 'jail-' + name,
    sets: Object.freeze({ addr4: 'addr4-' + name, addr6: 'addr6-' + name, net4: 'net4-' + name, net6: 'net6-' + name }),
    hook,
    priority,
    verdict: blocktype,
    portMatch: portMatch(get('type', 'multiport').toLowerCase(), p['port'], p['protocol'], bad),
    nft,
  });
}

function portMatch(type: string, port: string | undefined, protocol: string | undefined,
  bad: (key: string, why: string) => LogjailError): string {
  if (type !== 'multiport' && type !== 'allports') throw bad('type', `${JSON.stringify(type)}: use multiport or allports`);
  const protos = (protocol ?? 'tcp').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  for (const pr of protos) {
    if (!PROTOCOLS.has(pr) && pr !== 'all') throw bad('protocol', `${JSON.stringify(pr)}: use tcp, udp, sctp, dccp, udplite or all`);
  }
  if (type === 'allports' || port === undefined || port.trim() === '' || protos.includes('all')) return '';
  if (protos.length === 0) throw bad('protocol', 'no protocol given');
  const ports: string[] = [];
  for (const raw of port.split(',')) {
    const s = raw.trim();
    if (s === '') continue;
    const range = PORT_RANGE_RE.exec(s);
    if (range !== null) {
      const a = Number(range[1]), b = Number(range[2]);
      if (a > 65535 || b > 65535 || a > b) throw bad('port', `${JSON.stringify(s)} is not a port range`);
      ports.push(a === b ? String(a) : `${a}-${b}`);
    } else if (/^\d{1,5}$/.test(s) && Number(s) <= 65535) {
      ports.push(String(Number(s)));
    } else if (PORT_NAME_RE.test(s)) {
      ports.push(s);  // a service name; nft looks it up in /etc/services
    } else {
      throw bad('port', `${JSON.stringify(s)} is not a port, a range a:b or a service name`);
    }
  }
  if (ports.length === 0) return '';
  return `meta l4proto { ${protos.join(', ')} } th dport { ${ports.join(', ')} } `;
}

/** A ban id checked for nft: canonical text, family, and whether it is a network. */
export interface NftAddress {
  readonly family: Family;
  readonly text: string;
  readonly network: boolean;
}

/**
 * Parse an address or network ("192.0.2.7", "2001:db8::/32"); null for anything else. Host bits
 * of a network are cleared; a /32 (/128) is a single address; /0 (everything) is refused.
 */
export function nftAddress(ip: string): NftAddress | null {
  const slash = ip.indexOf('/');
  const addr = slash < 0 ? ip : ip.slice(0, slash);
  let prefix: number | undefined;
  if (slash >= 0) {
    const p = ip.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
  }
  const v4 = parseIPv4(addr);
  if (v4 !== null) {
    if (prefix === undefined || prefix === 32) return { family: 'inet4', text: v4.join('.'), network: false };
    if (prefix < 1 || prefix > 32) return null;
    const n = ((v4[0]! << 24) | (v4[1]! << 16) | (v4[2]! << 8) | v4[3]!) & (~0 << (32 - prefix));
    return { family: 'inet4', text: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`, network: true };
  }
  const v6 = parseIPv6(addr);
  if (v6 === null) return null;
  if (prefix === undefined || prefix === 128) return { family: 'inet6', text: formatIPv6(v6), network: false };
  if (prefix < 1 || prefix > 128) return null;
  const masked = v6.map((w, i) => {
    const bits = Math.min(16, Math.max(0, prefix! - i * 16));
    return bits === 16 ? w : bits === 0 ? 0 : w & ((0xffff << (16 - bits)) & 0xffff);
  });
  return { family: 'inet6', text: `${formatIPv6(masked)}/${prefix}`, network: true };
}

/** The set an address goes into. */
export function setFor(spec: NftJailSpec, a: NftAddress): string {
  return a.family === 'inet4' ? (a.network ? spec.sets.net4 : spec.sets.addr4) : (a.network ? spec.sets.net6 : spec.sets.addr6);
}

const SET_DEFS: readonly [keyof NftJailSpec['sets'], string, string][] = [
  ['addr4', 'ipv4_addr', 'timeout'], ['addr6', 'ipv6_addr', 'timeout'],
  ['net4', 'ipv4_addr', 'interval, timeout'], ['net6', 'ipv6_addr', 'interval, timeout'],
];

function addSets(spec: NftJailSpec): string {
  let s = '';
  for (const [k, type, flags] of SET_DEFS) s += `add set inet ${spec.table} ${spec.sets[k]} { type ${type} ; flags ${flags} ; }\n`;
  return s;
}

/** Create table, sets and the jail's chain with its rules; idempotent, keeps the sets' elements. */
export function startScript(spec: NftJailSpec): string {
  const t = `inet ${spec.table}`;
  let s = `add table ${t}\n` +
    // re-create the chain so that its rules exist exactly once, whatever was there
    `add chain ${t} ${spec.chain}\nflush chain ${t} ${spec.chain}\ndelete chain ${t} ${spec.chain}\n` +
    `add chain ${t} ${spec.chain} { type filter hook ${spec.hook} priority ${spec.priority} ; policy accept ; }\n` +
    addSets(spec);
  for (const [k] of SET_DEFS) {
    s += `add rule ${t} ${spec.chain} ${spec.portMatch}${k.endsWith('4') ? 'ip' : 'ip6'} saddr @${spec.sets[k]} ${spec.verdict}\n`;
  }
  return s;
}

/** Remove the jail's chain and sets (whether or not they exist). */
export function stopScript(spec: NftJailSpec): string {
  const t = `inet ${spec.table}`;
  let s = `add table ${t}\nadd chain ${t} ${spec.chain}\nflush chain ${t} ${spec.chain}\ndelete chain ${t} ${spec.chain}\n` + addSets(spec);
  for (const [k] of SET_DEFS) s += `delete set ${t} ${spec.sets[k]}\n`;
  return s;
}

/** Empty the jail's sets (whether or not they exist). */
export function flushScript(spec: NftJailSpec): string {
  let s = `add table inet ${spec.table}\n` + addSets(spec);
  for (const [k] of SET_DEFS) s += `flush set inet ${spec.table} ${spec.sets[k]}\n`;
  return s;
}

/** One element change: make `text` present in `set` until `expires` (epoch s; null = for ever), or absent. */
export interface ElementChange {
  readonly set: string;
  readonly text: string;
  readonly present: boolean;
  readonly expires: number | null;
}

/** The kernel takes timeouts up to about 136 years; longer bans are written without a timeout. */
const MAX_TIMEOUT_SECONDS = 10000 * 86400;

/**
 * Apply element changes in one transaction. Each element is first added (so that it exists),
 * then deleted, then added again with its timeout if it should stay: no error for an address
 * already there or already gone (the kernel may have let it expire), and the timeout is exactly
 * the remaining ban time even for an address banned before.
 */
export function elementScript(table: string, changes: Iterable<ElementChange>, now: number): string {
  const bySet = new Map<string, { all: string[]; keep: string[] }>();
  for (const c of changes) {
    let g = bySet.get(c.set);
    if (g === undefined) bySet.set(c.set, (g = { all: [], keep: [] }));
    g.all.push(c.text);
    if (!c.present) continue;
    if (c.expires === null) { g.keep.push(c.text); continue; }
    const left = Math.ceil(c.expires - now);
    if (left <= 0) continue;  // already over: leave it out
    g.keep.push(left > MAX_TIMEOUT_SECONDS ? c.text : `${c.text} timeout ${duration(left)}`);
  }
  let s = '';
  for (const [set, g] of bySet) {
    const all = g.all.join(', ');
    s += `add element inet ${table} ${set} { ${all} }\ndelete element inet ${table} ${set} { ${all} }\n`;
    if (g.keep.length > 0) s += `add element inet ${table} ${set} { ${g.keep.join(', ')} }\n`;
  }
  return s;
}

/** nft reads at most 8 digits of seconds: write days, hours, minutes, seconds. */
export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return (d ? `${d}d` : '') + (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s || seconds === 0 ? `${s}s` : '');
}
