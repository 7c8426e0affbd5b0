/**
 * One journal entry (journalctl --output=json) → the line fail2ban builds from it:
 * `HOSTNAME IDENTIFIER[PID]: MESSAGE`, newlines in the message shown as the two characters "\n",
 * plus its time. The shape follows fail2ban's systemd backend so that the same filters match:
 * - the identifier is SYSLOG_IDENTIFIER, else _COMM; the PID is SYSLOG_PID, else _PID; a part
 *   that is missing or empty is left out (a PID of 0 counts as missing, as in Python);
 * - PIDs are printed as Python's int() reads them ("012" → 12, "0x1f" → 31); anything else
 *   appears as Python prints bytes (b'abc');
 * - kernel lines (identifier "kernel" without PID) get the monotonic time as "[   12.345678]";
 * - a MESSAGE with several values is joined with spaces;
 * - the time is _SOURCE_REALTIME_TIMESTAMP, else __REALTIME_TIMESTAMP.
 * Values journalctl prints as byte arrays (not valid UTF-8) are decoded with U+FFFD for the
 * invalid bytes, as fail2ban's decoding with "replace" does.
 */
import type { JournalTime } from './types.js';

export interface JournalLine {
  readonly line: string;
  readonly time: JournalTime;
  readonly cursor: string;
}

type Value = string | number[] | null | undefined | (string | number[] | null)[];

/** The line, time and cursor of an entry; null when the entry has no usable time or cursor. */
export function journalLine(entry: Record<string, unknown>): JournalLine | null {
  const cursor = entry['__CURSOR'];
  if (typeof cursor !== 'string') return null;
  const us = micros(entry['_SOURCE_REALTIME_TIMESTAMP']) ?? micros(entry['__REALTIME_TIMESTAMP']);
  if (us === null) return null;
  const parts: string[] = [];
  const host = text(first(entry['_HOSTNAME'] as Value));
  if (host !== '') parts.push(host);
  let ident = text(first(entry['SYSLOG_IDENTIFIER'] as Value));
  if (ident === '') ident = text(first(entry['_COMM'] as Value));
  if (ident !== '') {
    const pid = pidText(first(entry['SYSLOG_PID'] as Value)) ?? pidText(first(entry['_PID'] as Value));
    let tag = ident + (pid !== null ? `[${pid}]` : '') + ':';
    parts.push(tag);
    if (tag === 'kernel:') {
      const mono = micros(entry['_SOURCE_MONOTONIC_TIMESTAMP']) ?? micros(entry['__MONOTONIC_TIMESTAMP']) ?? 0n;
      tag = `[${seconds6(mono).padStart(12)}]`;
      parts.push(tag);
    }
  }
  const msg = entry['MESSAGE'] as Value;
  parts.push(isMulti(msg) ? msg.map((v) => text(v)).join(' ') : text(msg));
  const line = parts.join(' ').replace(/\n/g, '\\n');
  return { line, time: { time: Number(us) / 1e6, text: isoLocal(us) }, cursor };
}

/** Several values of one field: an array whose items are strings or byte arrays. */
function isMulti(v: Value): v is (string | number[] | null)[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] !== 'number';
}

function first(v: Value): string | number[] | null | undefined {
  return isMulti(v) ? v[0] : (v as string | number[] | null | undefined);
}

function text(v: string | number[] | null | undefined): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return Buffer.from(v).toString('utf8');
  return '';
}

function micros(v: unknown): bigint | null {
  const s = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
  if (s === null || !/^\d{1,20}$/.test(s)) return null;
  return BigInt(s);
}

/** "12.345678" from microseconds, without going through a float. */
function seconds6(us: bigint): string {
  return `${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}`;
}

/** Python's int(b) (base 10: blanks around, sign, "_" between digits, leading zeros). */
const INT10 = /^[ \t\n\r\f\v]*([+-]?)(\d(?:_?\d)*)[ \t\n\r\f\v]*$/;
/** Python's int(b, 0): a prefix chooses the base; decimal without leading zeros. */
const INT0 = /^[ \t\n\r\f\v]*([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|([1-9](?:_?\d)*|0(?:_?0)*))[ \t\n\r\f\v]*$/;

/** The PID as fail2ban prints it, or null when missing or zero (Python treats both as false). */
function pidText(v: string | number[] | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const raw = Array.isArray(v) ? Buffer.from(v) : Buffer.from(v, 'utf8');
  if (raw.length === 0) return null;
  const s = raw.toString('latin1');
  let m = INT10.exec(s);
  if (m !== null) {
    const n = BigInt(m[1] + m[2]!.replace(/_/g, ''));
    return n === 0n ? null : n.toString();
  }
  m = INT0.exec(s);
  if (m !== null) {
    const sign = m[1] === '-' ? -1n : 1n;
    const digits = (m[2] ?? m[3] ?? m[4] ?? m[5]!).replace(/_/g, '');
    const prefix = m[2] !== undefined ? '0x' : m[3] !== undefined ? '0o' : m[4] !== undefined ? '0b' : '';
    return (sign * BigInt(prefix + digits)).toString();
  }
  return bytesRepr(raw);
}

/** Python's repr() of a bytes object. */
function bytesRepr(b: Buffer): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === quote.charCodeAt(0)) out += '\\' + quote;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + quote;
}

/** Local time in ISO 8601 with the offset, microseconds when not zero (Python's isoformat()). */
function isoLocal(us: bigint): string {
  const ms = Number(us / 1000n);
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const frac = us % 1_000_000n;
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${String(d.getFullYear()).padStart(4, '0')}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`
    + (frac !== 0n ? '.' + String(frac).padStart(6, '0') : '')
    + `${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}
