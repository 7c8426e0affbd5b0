/**
 * `logjail regex --out json`: one JSON object per failure, one per line, on stdout.
 *   {"ip": "192.0.2.1", "time": 1124013600, "line": 42, "user": "root"}
 * "ip" is the address (or the failure id when there is none), "time" epoch seconds,
 * "line" the 1-based number of the last line of the match, then the captured fields.
 */
import type { Writable } from 'node:stream';
import type { Failure } from '../filter/types.js';

/** Groups that are fail2ban's machinery, not data worth printing. */
const INTERNAL = new Set(['ip4', 'ip6', 'dns', 'fid', 'ip', 'cidr', 'mlfid', 'content', 'nofail', 'mlfforget',
  'mlfgained', 'mlfpending', 'matches', 'nofail-matches', 'users']);

/** Group name → its JSON key text (',"user":'), or '' for groups not printed. */
const keys: Record<string, string> = Object.create(null) as Record<string, string>;
/** Strings JSON.stringify would only put in quotes (nothing to escape): the usual values. */
const PLAIN = /^[^"\\\x00-\x1f\ud800-\udfff]*$/;

function str(v: string): string {
  return PLAIN.test(v) ? '"' + v + '"' : JSON.stringify(v);
}

/** The JSON key text of a group (',"user":'), '' for groups not printed. */
function keyOf(k: string): string {
  let key = keys[k];
  if (key === undefined) {
    key = INTERNAL.has(k) || k.startsWith('skiplines') || k.startsWith('alt_') || k.startsWith('tuple_') ? '' : `,${JSON.stringify(k)}:`;
    keys[k] = key;
  }
  return key;
}

/** `now`: the time reported for a failure whose line had no usable date (as fail2ban does). */
export function failureJson(f: Failure, now: number): string {
  const d = f.data;
  const ipv = d['ip'];
  const ip = typeof ipv === 'string' ? ipv : f.id;
  let s = '{"ip":' + str(ip) + ',"time":' + String(f.time ?? now) + ',"line":' + String(f.lineNo);
  if (ip !== f.id) s += ',"id":' + str(f.id);
  for (const k in d) {
    const v = d[k];
    if (v === undefined || v === null) continue;
    const key = keyOf(k);
    if (key !== '') s += key + (typeof v === 'string' ? str(v) : JSON.stringify(v));
  }
  const users = d.users;
  if (users instanceof Set && users.size > 1) s += `,"users":${JSON.stringify([...users].sort())}`;
  return s + '}\n';
}

/**
 * failureJson() written as bytes straight into `out` from `pos` (no strings made): returns the
 * position after it, or -1 when it does not fit in `out` or holds other than plain ASCII text
 * (nothing to escape), which failureJson() then writes (the bytes would be the same).
 */
export function writeFailureJson(f: Failure, now: number, out: Uint8Array, pos: number): number {
  const d = f.data;
  const ipv = d['ip'];
  const ip = typeof ipv === 'string' ? ipv : f.id;
  let p = putBytes(out, pos, B_IP);
  if (p >= 0) p = putPlain(out, p, ip);
  if (p >= 0) p = putBytes(out, p, B_TIME);
  // (String() of a number is what failureJson writes, and cheap: V8 caches recent ones)
  if (p >= 0) p = putPlain(out, p, String(f.time ?? now));
  if (p >= 0) p = putBytes(out, p, B_LINE);
  if (p >= 0) p = putPlain(out, p, String(f.lineNo));
  if (p >= 0 && ip !== f.id) {
    p = putBytes(out, p, B_ID);
    if (p >= 0) p = putPlain(out, p, f.id);
    if (p >= 0) p = putBytes(out, p, B_QUOTE);
  }
  for (const k in d) {
    if (p < 0) return -1;
    const v = d[k];
    if (v === undefined || v === null) continue;
    const key = keyBytesOf(k);
    if (key === null) continue;
    // other values (tuples: arrays) are rare: failureJson writes them
    if (typeof v !== 'string') return -1;
    p = putBytes(out, p, key);
    if (p >= 0) p = putPlain(out, p, v);
    if (p >= 0) p = putBytes(out, p, B_QUOTE);
  }
  const users = d.users;
  if (users instanceof Set && users.size > 1) return -1;
  return p < 0 ? -1 : putBytes(out, p, B_END);
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const B_IP = ascii('{"ip":"');
const B_TIME = ascii('","time":');
const B_LINE = ascii(',"line":');
const B_ID = ascii(',"id":"');
const B_QUOTE = ascii('"');
const B_END = ascii('}\n');
/** Group name → the bytes of its JSON key and opening quote (',"user":"'), null for groups not printed. */
const keyBytes: Record<string, Uint8Array | null> = Object.create(null) as Record<string, Uint8Array | null>;

function keyBytesOf(k: string): Uint8Array | null {
  let b = keyBytes[k];
  if (b === undefined) {
    const key = keyOf(k);
    b = key === '' ? null : ascii(key + '"');
    keyBytes[k] = b;
  }
  return b;
}

/** Bytes made up front (keys, punctuation). */
function putBytes(out: Uint8Array, p: number, b: Uint8Array): number {
  const n = b.length;
  if (p + n > out.length) return -1;
  for (let i = 0; i < n; i++) out[p + i] = b[i]!;
  return p + n;
}

/** A value as JSON string content when it is printable ASCII without '"' or '\\', else -1. */
function putPlain(out: Uint8Array, p: number, s: string): number {
  const n = s.length;
  if (p + n > out.length) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
    out[p + i] = c;
  }
  return p + n;
}

/** Buffered writer: output in large blocks, waiting for the stream when it is full. */
export class JsonOut {
  private buf = '';
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly out: Writable) {}

  write(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    this.out.write(chunk);
  }

  async close(): Promise<void> {
    this.flush();
    await this.pending;
    await new Promise<void>((res) => {
      if (this.out.writableNeedDrain) this.out.once('drain', () => res());
      else res();
    });
  }
}
