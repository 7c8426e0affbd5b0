/**
 * Addresses as failure ids, with fail2ban's rules: an address is parsed strictly (inet_pton),
 * printed canonically (inet_ntop), an IPv4-mapped IPv6 address becomes IPv4, a `cidr` turns it
 * into a network, and text that does not parse stays a "raw" id compared as a string
 * (e.g. `192.030.0.6`, which the IPv4 regex accepts but inet_pton rejects).
 */
import ipaddr from 'ipaddr.js';

export type Family = 'inet4' | 'inet6';

export interface HostId {
  /** Canonical text: `192.0.2.1`, `2001:db8::1`, `10.0.0.0/8`, or the raw text. */
  readonly text: string;
  /** null for raw (unparsed) ids such as host names or invalid addresses. */
  readonly family: Family | null;
  /** Prefix length (32/128 for a single address); 0 for raw ids. */
  readonly prefix: number;
}

const IPV4_STRICT = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;

/** Parse IPv4 dotted-quad like inet_pton(AF_INET): four decimal parts 0-255, no leading zeros. */
export function parseIPv4(s: string): number[] | null {
  if (!IPV4_STRICT.test(s)) return null;
  const parts = s.split('.').map(Number);
  for (const p of parts) if (p > 255) return null;
  return parts;
}

/** Parse IPv6 like inet_pton(AF_INET6) (no zone index); returns 8 16-bit words. */
export function parseIPv6(s: string): number[] | null {
  if (s.length < 2 || s.length > 45 || s.includes('%')) return null;
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  // inet_pton rejects groups longer than 4 hex digits and leading zeros in an embedded IPv4 part.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.') && parseIPv4(tail) === null) return null;
  for (const g of s.slice(0, tail.includes('.') ? lastColon : s.length).split(':')) if (g.length > 4) return null;
  try {
    if (!ipaddr.IPv6.isValid(s)) return null;
    return ipaddr.IPv6.parse(s).parts.slice();
  } catch {
    return null;
  }
}

/** inet_ntop(AF_INET6) as glibc prints it. */
export function formatIPv6(w: readonly number[]): string {
  // longest run of >= 2 zero words (first one wins on ties)
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${w[6]! >> 8}.${w[6]! & 255}.${w[7]! >> 8}.${w[7]! & 255}`;
      return out;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

function maskV4(p: number[], prefix: number): number[] {
  const n = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
  const m = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const r = (n & m) >>> 0;
  return [r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255];
}

function maskV6(w: number[], prefix: number): number[] {
  return w.map((x, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 16 ? x : bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff);
  });
}

/**
 * A strict dotted quad (inet_pton: four decimal parts 0-255, no leading zeros) as an unsigned
 * 32-bit number, or -1.
 */
function quad(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let n = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + part;
}

/** Parsed ids by family restriction and prefix; a key per (only, cidr) keeps lookups allocation-free. */
const caches = new Map<string, Map<string, HostId>>();
let cached = 0;

/**
 * Turn captured text into an id like fail2ban's IPAddr(text, cidr).
 * `only` restricts the family tried (the ip4 group only tries IPv4, ip6 only IPv6).
 * `cidr` is the captured prefix length, if any.
 */
export function hostId(text: string, only?: Family, cidr?: number): HostId {
  if (cidr === undefined && only !== 'inet6' && quad(text) >= 0) {
    // the common case, a plain IPv4 address: a strict dotted quad is its own canonical text
    // (checked by hand: cheaper than looking a fresh substring up in a map)
    return { text, family: 'inet4', prefix: 32 };
  }
  const ck = cidr === undefined ? (only ?? '') : `${only ?? ''}/${cidr}`;
  let cache = caches.get(ck);
  if (cache === undefined) caches.set(ck, (cache = new Map()));
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const id = computeHostId(text, only, cidr);
  if (++cached > 20000) {
    caches.clear();
    cached = 0;
    caches.set(ck, (cache = new Map()));
  }
  cache.set(text, id);
  return id;
}

function computeHostId(text: string, only: Family | undefined, cidr: number | undefined): HostId {
  const s = text;
  if (only !== 'inet6') {
    const v4 = parseIPv4(s);
    if (v4 !== null) {
      const prefix = cidr !== undefined && cidr >= 0 && cidr <= 32 ? cidr : 32;
      const p = prefix < 32 ? maskV4(v4, prefix) : v4;
      return { text: p.join('.') + (prefix > 0 && prefix < 32 ? `/${prefix}` : ''), family: 'inet4', prefix };
    }
  }
  if (only !== 'inet4') {
    const v6 = parseIPv6(s);
    if (v6 !== null) {
      if (cidr === undefined || cidr < 0) {
        // IPv4-mapped (::ffff:0:0/96) becomes IPv4
        if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff) {
          return { text: `${v6[6]! >> 8}.${v6[6]! & 255}.${v6[7]! >> 8}.${v6[7]! & 255}`, family: 'inet4', prefix: 32 };
        }
        return { text: formatIPv6(v6), family: 'inet6', prefix: 128 };
      }
      const prefix = Math.min(cidr, 128);
      return { text: formatIPv6(maskV6(v6, prefix)) + (prefix > 0 && prefix < 128 ? `/${prefix}` : ''), family: 'inet6', prefix };
    }
  }
  return { text, family: null, prefix: 0 };
}

/** A raw id (no parsing): host names, F-ID values. */
export function rawId(text: string): HostId {
  return { text, family: null, prefix: 0 };
}
