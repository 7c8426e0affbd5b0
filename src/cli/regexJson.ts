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
    let key = keys[k];
    if (key === undefined) {
      key = INTERNAL.has(k) || k.startsWith('skiplines') || k.startsWith('alt_') || k.startsWith('tuple_') ? '' : `,${JSON.stringify(k)}:`;
      keys[k] = key;
    }
    if (key !== '') s += key + (typeof v === 'string' ? str(v) : JSON.stringify(v));
  }
  const users = d.users;
  if (users instanceof Set && users.size > 1) s += `,"users":${JSON.stringify([...users].sort())}`;
  return s + '}\n';
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
