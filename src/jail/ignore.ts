/**
 * Addresses a jail never bans: `ignoreip` (addresses, networks such as 10.0.0.0/8 or
 * 10.0.0.0/255.0.0.0, host names resolved with a cache), `ignoreself` (the host's own
 * addresses) and `ignorecommand` (a command whose exit status 0 says "ignore").
 * Checks that need no lookup answer at once; the others answer with a promise.
 */
import { promises as dns } from 'node:dns';
import { hostname, networkInterfaces } from 'node:os';
import { hostId, parseIPv4, parseIPv6, type Family } from '../filter/ip.js';
import { ipAddr } from '../filter/filter.js';

interface Network {
  readonly family: Family;
  readonly bits: number[];
  readonly prefix: number;
}

function toBits(text: string, family: Family): number[] | null {
  if (family === 'inet4') {
    const p = parseIPv4(text);
    return p === null ? null : p.flatMap((b) => [b >> 4 & 15, b & 15]);
  }
  const w = parseIPv6(text);
  return w === null ? null : w.flatMap((x) => [x >> 12 & 15, x >> 8 & 15, x >> 4 & 15, x & 15]);
}

function inNetwork(bits: readonly number[], n: Network): boolean {
  let left = n.prefix;
  for (let i = 0; left > 0; i++, left -= 4) {
    const a = bits[i]!, b = n.bits[i]!;
    if (left >= 4) { if (a !== b) return false; } else {
      const mask = (0xf << (4 - left)) & 0xf;
      if ((a & mask) !== (b & mask)) return false;
    }
  }
  return true;
}

/** Cache of name → addresses (5 minutes, like fail2ban). */
class NameCache {
  private readonly m = new Map<string, { until: number; ips: Set<string> }>();
  constructor(private readonly clock: () => number, private readonly resolve: (name: string) => Promise<string[]>) {}
  async get(name: string): Promise<Set<string>> {
    const now = this.clock();
    const hit = this.m.get(name);
    if (hit !== undefined && hit.until > now) return hit.ips;
    let ips: Set<string>;
    try {
      ips = new Set((await this.resolve(name)).map((a) => ipAddr(a, 'unspec').text));
    } catch {
      ips = new Set();
    }
    if (this.m.size > 1000) this.m.clear();
    this.m.set(name, { until: now + 300, ips });
    return ips;
  }
}

export async function lookupAll(name: string): Promise<string[]> {
  const r = await dns.lookup(name, { all: true, verbatim: true });
  return r.map((x) => x.address);
}

export interface IgnoreOptions {
  readonly ignoreIp: readonly string[];
  readonly ignoreSelf: boolean;
  /** Runs the jail's ignorecommand for an address; true = ignore. */
  readonly command?: ((ip: string) => Promise<boolean>) | undefined;
  readonly clock: () => number;
  readonly resolve?: (name: string) => Promise<string[]>;
  /** The host's own addresses (tests inject them). */
  readonly selfAddresses?: () => Promise<string[]>;
}

async function ownAddresses(resolve: (n: string) => Promise<string[]>): Promise<string[]> {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  for (const n of ['localhost', hostname()]) {
    try { out.push(...await resolve(n)); } catch { /* no such name */ }
  }
  return out;
}

export class IgnoreList {
  private readonly single = new Set<string>();
  private readonly networks: Network[] = [];
  private readonly names: string[] = [];
  private readonly cache: NameCache;
  private self: { until: number; ips: Set<string> } | null = null;

  constructor(private readonly o: IgnoreOptions) {
    const resolve = o.resolve ?? lookupAll;
    this.cache = new NameCache(o.clock, resolve);
    for (const entry of o.ignoreIp) this.add(entry);
  }

  /** Add an entry (the ignoreip syntax); used by `set JAIL addignoreip`. */
  add(entry: string): void {
    const e = entry.trim();
    if (e === '') return;
    const id = ipAddr(e, 'unspec');
    if (id.family === null) {
      if (!this.names.includes(e)) this.names.push(e);
    } else if (id.prefix === (id.family === 'inet4' ? 32 : 128)) {
      this.single.add(id.text);
    } else {
      const slash = id.text.indexOf('/');
      const bits = toBits(slash < 0 ? id.text : id.text.slice(0, slash), id.family);
      if (bits !== null) this.networks.push({ family: id.family, bits, prefix: id.prefix });
    }
  }

  remove(entry: string): void {
    const e = entry.trim();
    const id = ipAddr(e, 'unspec');
    this.single.delete(id.text);
    const i = this.names.indexOf(e);
    if (i >= 0) this.names.splice(i, 1);
    const slash = id.text.indexOf('/');
    if (id.family !== null && slash >= 0) {
      const bits = toBits(id.text.slice(0, slash), id.family);
      const k = this.networks.findIndex((n) => n.family === id.family && n.prefix === id.prefix && bits !== null && n.bits.every((b, j) => b === bits[j]));
      if (k >= 0) this.networks.splice(k, 1);
    }
  }

  /** The entries, for `get JAIL ignoreip`. */
  entries(): string[] {
    return [...this.single, ...this.networks.map((n) => `${n.family}/${n.prefix}`), ...this.names];
  }

  /**
   * Is this address to be left alone? `ip` is a canonical address (or a raw id: only an exact
   * entry or the command can match it). Returns a promise only when a lookup or the command runs.
   */
  check(ip: string, family: Family | null): boolean | Promise<boolean> {
    if (this.single.has(ip)) return true;
    if (family !== null && this.networks.length > 0) {
      const bits = toBits(ip, family);
      if (bits !== null) for (const n of this.networks) if (n.family === family && inNetwork(bits, n)) return true;
    }
    if (!this.o.ignoreSelf && this.names.length === 0 && this.o.command === undefined) return false;
    return this.slowCheck(ip);
  }

  private async slowCheck(ip: string): Promise<boolean> {
    if (this.o.ignoreSelf) {
      const now = this.o.clock();
      if (this.self === null || this.self.until <= now) {
        const list = await (this.o.selfAddresses ?? (() => ownAddresses(this.o.resolve ?? lookupAll)))();
        this.self = { until: now + 300, ips: new Set(list.map((a) => hostId(a).text)) };
      }
      if (this.self.ips.has(ip)) return true;
    }
    for (const name of this.names) if ((await this.cache.get(name)).has(ip)) return true;
    if (this.o.command !== undefined) return this.o.command(ip);
    return false;
  }
}
