/**
 * Reader for compiled zone files (TZif, RFC 8536) as found in /usr/share/zoneinfo and
 * /etc/localtime. We read the same files the C library reads, so the server's local time matches
 * Python's time.mktime exactly, even where Node's bundled ICU data is of another vintage.
 */
import { parsePosixTz, posixSpan, type PosixRules, type Span } from './posixTz.js';

export interface TzifData {
  /** Transition instants, ascending (epoch seconds). */
  readonly transitions: Float64Array;
  /** Local time type index for each transition. */
  readonly typeOfTransition: Uint8Array;
  /** Per type: offset in seconds east of UTC. */
  readonly offsets: Int32Array;
  /** Per type: DST flag. */
  readonly dst: Uint8Array;
  /** Rules for instants after the last transition (the footer), if any. */
  readonly footer: PosixRules | null;
}

function readInt32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}

function readInt64(b: Uint8Array, i: number): number {
  // Exact for every value a zone file can meaningfully hold (|t| < 2^53).
  return readInt32(b, i) * 4294967296 + (readInt32(b, i + 4) >>> 0);
}

interface Header {
  version: number;
  isutcnt: number; isstdcnt: number; leapcnt: number; timecnt: number; typecnt: number; charcnt: number;
}

function header(b: Uint8Array, at: number): Header | null {
  if (b.length < at + 44 || b[at] !== 0x54 || b[at + 1] !== 0x5a || b[at + 2] !== 0x69 || b[at + 3] !== 0x66) return null;
  return {
    version: b[at + 4]!,
    isutcnt: readInt32(b, at + 20), isstdcnt: readInt32(b, at + 24), leapcnt: readInt32(b, at + 28),
    timecnt: readInt32(b, at + 32), typecnt: readInt32(b, at + 36), charcnt: readInt32(b, at + 40),
  };
}

/** Parse TZif bytes; null if they are not a valid zone file. Leap-second records are ignored. */
export function parseTzif(b: Uint8Array): TzifData | null {
  let h = header(b, 0);
  if (h === null) return null;
  let at = 44;
  let width = 4;
  if (h.version !== 0) {
    // Skip the 32-bit block; the 64-bit block follows with its own header.
    at += h.timecnt * 5 + h.typecnt * 6 + h.charcnt + h.leapcnt * 8 + h.isstdcnt + h.isutcnt;
    h = header(b, at);
    if (h === null) return null;
    at += 44;
    width = 8;
  }
  if (h.typecnt === 0 || h.isstdcnt > h.typecnt || h.isutcnt > h.typecnt) return null;
  const need = at + h.timecnt * (width + 1) + h.typecnt * 6 + h.charcnt + h.leapcnt * (width + 4) + h.isstdcnt + h.isutcnt;
  if (b.length < need) return null;
  const transitions = new Float64Array(h.timecnt);
  for (let i = 0; i < h.timecnt; i++) {
    transitions[i] = width === 8 ? readInt64(b, at + i * 8) : readInt32(b, at + i * 4);
  }
  at += h.timecnt * width;
  const typeOfTransition = b.slice(at, at + h.timecnt);
  for (const t of typeOfTransition) if (t >= h.typecnt) return null;
  at += h.timecnt;
  const offsets = new Int32Array(h.typecnt);
  const dst = new Uint8Array(h.typecnt);
  for (let i = 0; i < h.typecnt; i++) {
    offsets[i] = readInt32(b, at + i * 6);
    const isDst = b[at + i * 6 + 4]!;
    if (isDst > 1) return null;
    dst[i] = isDst;
  }
  at = need;
  let footer: PosixRules | null = null;
  if (width === 8 && b[at] === 0x0a) {
    const end = b.indexOf(0x0a, at + 1);
    if (end > at + 1) footer = parsePosixTz(new TextDecoder('latin1').decode(b.subarray(at + 1, end)));
  }
  return { transitions, typeOfTransition, offsets, dst, footer };
}

/**
 * Offset (seconds east) at instant t; the DST flag and the span of instants with the same
 * offset are written to `out`.
 */
export function tzifOffset(z: TzifData, t: number, out: Span): number {
  const tr = z.transitions;
  const n = tr.length;
  if (n === 0 || t < tr[0]!) {
    // Before the first transition: the first standard-time type (or type 0 if all are DST).
    let i = 0;
    while (i < z.dst.length && z.dst[i] === 1) i++;
    if (i === z.dst.length) i = 0;
    out.dst = z.dst[i] === 1;
    out.from = -Infinity;
    out.to = n === 0 ? Infinity : tr[0]!;
    return z.offsets[i]!;
  }
  if (t >= tr[n - 1]! && z.footer !== null) {
    const f = z.footer;
    posixSpan(f, t, out);
    if (out.from < tr[n - 1]!) out.from = tr[n - 1]!;
    return out.dst ? f.dst.offset : f.std.offset;
  }
  // Last transition at or before t.
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (t < tr[mid]!) hi = mid; else lo = mid;
  }
  const type = z.typeOfTransition[lo]!;
  out.dst = z.dst[type] === 1;
  out.from = tr[lo]!;
  out.to = hi < n ? tr[hi]! : Infinity;
  return z.offsets[type]!;
}
