/**
 * A generated multi-service syslog (sshd, postfix, dovecot, cron, systemd, kernel firewall)
 * for benchmarks and differential tests. Deterministic for a given seed; dates are year-less
 * syslog dates ending shortly before `end` (epoch seconds, default: now - 1 h), in UTC.
 */
import { createWriteStream } from 'node:fs';

/** Small fast deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USERS = ['root', 'admin', 'test', 'oracle', 'postgres', 'ubuntu', 'git', 'user', 'guest', 'ftpuser', 'pi', 'deploy'];
const GOOD = ['alice', 'bob', 'carol'];

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function syslogDate(t: number): string {
  const d = new Date(t * 1000);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ' ' + day : day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

export interface GenOptions {
  readonly lines: number;
  readonly seed?: number;
  readonly end?: number;
  readonly attackers?: number;
}

/** Generate lines; calls `emit` for each (without the newline). */
export function generate(opts: GenOptions, emit: (line: string) => void): void {
  const r = rng(opts.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const nAtt = opts.attackers ?? 3000;
  const attackers: string[] = [];
  for (let i = 0; i < nAtt; i++) {
    attackers.push(i % 50 === 49
      ? `2001:db8:${int(1, 0xffff).toString(16)}::${int(1, 0xffff).toString(16)}`
      : `${pick([198, 203, 45, 61, 92, 185, 193])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`);
  }
  const friends = ['192.0.2.10', '192.0.2.11', '198.51.100.7'];
  const end = opts.end ?? Math.floor(Date.now() / 1000) - 3600;
  const step = 86400 / Math.max(opts.lines, 1);
  let t = end - opts.lines * step;
  const host = 'mx1';
  let pid = 1000;
  for (let i = 0; i < opts.lines; i++) {
    t += step * 2 * r();
    const d = syslogDate(Math.floor(t));
    const x = r();
    const ip = pick(attackers);
    let msg: string;
    if (x < 0.28) {
      const p = pid++ % 60000 + 1000;
      const port = int(1024, 65535);
      const u = pick(USERS);
      const k = r();
      if (k < 0.22) msg = `sshd[${p}]: Failed password for ${u} from ${ip} port ${port} ssh2`;
      else if (k < 0.34) msg = `sshd[${p}]: Failed password for invalid user ${u} from ${ip} port ${port} ssh2`;
      else if (k < 0.44) msg = `sshd[${p}]: Invalid user ${u} from ${ip} port ${port}`;
      else if (k < 0.52) msg = `sshd[${p}]: Connection closed by authenticating user ${u} ${ip} port ${port} [preauth]`;
      else if (k < 0.58) msg = `sshd[${p}]: Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`;
      else if (k < 0.64) msg = `sshd[${p}]: Disconnected from invalid user ${u} ${ip} port ${port} [preauth]`;
      else if (k < 0.70) msg = `sshd[${p}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`;
      else if (k < 0.74) msg = `sshd[${p}]: error: maximum authentication attempts exceeded for ${u} from ${ip} port ${port} ssh2 [preauth]`;
      else if (k < 0.78) msg = `sshd[${p}]: error: kex_exchange_identification: Connection closed by remote host`;
      else if (k < 0.82) msg = `sshd[${p}]: banner exchange: Connection from ${ip} port ${port}: invalid format`;
      else if (k < 0.88) msg = `sshd[${p}]: Accepted publickey for ${pick(GOOD)} from ${pick(friends)} port ${port} ssh2: ED25519 SHA256:${'x'.repeat(43)}`;
      else if (k < 0.93) msg = `sshd[${p}]: pam_unix(sshd:session): session opened for user ${pick(GOOD)}(uid=1000) by (uid=0)`;
      else if (k < 0.97) msg = `sshd[${p}]: Connection closed by ${ip} port ${port} [preauth]`;
      else msg = `sshd[${p}]: Disconnecting authenticating user ${u} ${ip} port ${port}: Too many authentication failures [preauth]`;
    } else if (x < 0.55) {
      const p = int(2000, 30000);
      const k = r();
      const q = int(0x10000000, 0x7fffffff).toString(16).toUpperCase();
      if (k < 0.25) msg = `postfix/smtpd[${p}]: connect from unknown[${ip}]`;
      else if (k < 0.5) msg = `postfix/smtpd[${p}]: disconnect from unknown[${ip}] ehlo=1 auth=0/1 quit=1 commands=2/3`;
      else if (k < 0.6) msg = `postfix/smtpd[${p}]: NOQUEUE: reject: RCPT from unknown[${ip}]: 554 5.7.1 <spam@example.net>: Relay access denied; from=<a@b.example> to=<c@example.net> proto=ESMTP helo=<x>`;
      else if (k < 0.7) msg = `postfix/smtpd[${p}]: warning: unknown[${ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`;
      else if (k < 0.85) msg = `postfix/qmgr[${p}]: ${q}: from=<news@example.org>, size=${int(800, 90000)}, nrcpt=1 (queue active)`;
      else msg = `postfix/smtp[${p}]: ${q}: to=<${pick(GOOD)}@example.org>, relay=mx.example.org[192.0.2.25]:25, delay=0.4, dsn=2.0.0, status=sent (250 OK)`;
    } else if (x < 0.72) {
      msg = `kernel: [${int(1000, 999999)}.${int(100000, 999999)}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=${ip} DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=${int(30, 250)} ID=${int(1, 65535)} PROTO=TCP SPT=${int(1024, 65535)} DPT=${pick([23, 445, 3389, 8080])} WINDOW=1024 RES=0x00 SYN URGP=0`;
    } else if (x < 0.82) {
      const p = int(2000, 30000);
      msg = r() < 0.5
        ? `dovecot: imap-login: Login: user=<${pick(GOOD)}>, method=PLAIN, rip=${pick(friends)}, lip=192.0.2.1, mpid=${p}, TLS, session=<abcdEFGH${int(1000, 9999)}>`
        : `dovecot: auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=${pick(USERS)} rhost=${ip}`;
    } else if (x < 0.92) {
      const p = int(2000, 30000);
      msg = r() < 0.5
        ? `CRON[${p}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`
        : `CRON[${p}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`;
    } else {
      msg = r() < 0.5
        ? `systemd[1]: Started session-${int(1, 9999)}.scope - Session ${int(1, 9999)} of User ${pick(GOOD)}.`
        : `systemd[1]: Starting apt-daily.service - Daily apt download activities...`;
    }
    emit(`${d} ${host} ${msg}`);
  }
}

/** Write a generated log to a file. */
export async function writeLog(path: string, opts: GenOptions): Promise<void> {
  const out = createWriteStream(path);
  let buf: string[] = [];
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return;
    const s = buf.join('\n') + '\n';
    buf = [];
    if (!out.write(s)) await new Promise<void>((res) => out.once('drain', () => res()));
  };
  const pending: string[] = [];
  generate(opts, (l) => pending.push(l));
  for (let i = 0; i < pending.length; i++) {
    buf.push(pending[i]!);
    if (buf.length >= 5000) await flush();
  }
  await flush();
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}
