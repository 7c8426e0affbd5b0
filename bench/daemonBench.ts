/**
 * Benchmarks of the daemon, side by side with fail2ban-server, each in a network namespace made
 * for the run (the host's firewall is never touched):
 *
 * - latency: a log line written → the firewall rule in place, over many bans (median, p99), on
 *   the empty-SMTP-session scenario (maxretry 1, a two-line failregex with maxlines 4, an action
 *   running `iptables -I INPUT -s <ip> -j DROP` and a logger line) — the same configuration for
 *   both daemons; logjail also with its built-in nftables action;
 * - burst: 10,000 distinct offenders within one minute of log time, all written at once; how
 *   long until all of them are in the firewall.
 *
 * "In place" is seen with `nft monitor` inside the namespace (iptables on Debian is iptables-nft):
 * the time an add-rule / add-element event for the address arrives.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const BIN = join(ROOT, 'bin', 'logjail');

const FILTER = `[Definition]
failregex = postfix/smtpd\\[(?P<pid>\\d+)\\]: connect from [^[\\s]*\\[<HOST>\\](?=\\n(?:(?!.*postfix/smtpd\\[(?P=pid)\\]).*\\n)*.*postfix/smtpd\\[(?P=pid)\\]: disconnect)<SKIPLINES>.*postfix/smtpd\\[(?P=pid)\\]: disconnect from [^[\\s]*\\[(?P=ip4)\\](?: (?:ehlo|helo|quit|commands)=\\d+(?:/\\d+)?)*$
maxlines = 4
datepattern = {^LN-BEG}
`;

const ACTION = `[Definition]
actionban = iptables -w -I INPUT -s <ip> -j DROP
            logger -t logjail-bench "banned <ip>"
actionunban = iptables -w -D INPUT -s <ip> -j DROP
`;

class Netns {
  readonly name = 'lj-bench-' + randomBytes(3).toString('hex');
  constructor() {
    execFileSync('ip', ['netns', 'add', this.name]);
    execFileSync('ip', ['netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up']);
  }
  spawn(argv: readonly string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  remove(): void {
    try { execFileSync('ip', ['netns', 'delete', this.name], { stdio: 'ignore' }); } catch { /* gone */ }
  }
}

/** Watches `nft monitor`: resolves waiters when an event mentions an address. */
class Monitor {
  private readonly proc: ChildProcess;
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();
  private buf = '';
  count = 0;

  constructor(ns: Netns) {
    this.proc = ns.spawn(['nft', 'monitor', 'new']);
    this.proc.stdout!.on('data', (b: Buffer) => {
      const now = performance.now();
      this.buf += b.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        for (const m of line.matchAll(/(\d+\.\d+\.\d+\.\d+)/g)) {
          const ip = m[1]!;
          if (this.seen.has(ip)) continue;
          this.seen.set(ip, now);
          this.count++;
          this.waiters.get(ip)?.(now);
          this.waiters.delete(ip);
        }
      }
    });
  }

  wait(ip: string, timeoutMs: number): Promise<number> {
    const t = this.seen.get(ip);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => { this.waiters.delete(ip); rej(new Error(`no firewall event for ${ip} within ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(ip, (x) => { clearTimeout(timer); res(x); });
    });
  }

  stop(): void {
    this.proc.kill();
  }
}

function syslogDate(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function session(ip: string, pid: number, d: Date): string {
  const t = syslogDate(d);
  return `${t} mx postfix/smtpd[${pid}]: connect from unknown[${ip}]\n${t} mx postfix/smtpd[${pid}]: disconnect from unknown[${ip}] ehlo=1 quit=1 commands=2\n`;
}

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

interface Daemon {
  readonly name: string;
  readonly ns: Netns;
  readonly log: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

type Kind = 'logjail-iptables' | 'logjail-nftables' | 'fail2ban-iptables' | 'fail2ban-nftables';

async function startDaemon(kind: Kind, bantime: number): Promise<Daemon> {
  const ns = new Netns();
  const dir = mkdtempSync(join(tmpdir(), 'logjail-bench-'));
  const cfg = join(dir, 'config');
  cpSync('/etc/fail2ban', cfg, { recursive: true });
  const log = join(dir, 'mail.log');
  writeFileSync(log, '');
  writeFileSync(join(cfg, 'filter.d', 'postfix-scan.conf'), FILTER);
  writeFileSync(join(cfg, 'action.d', 'scan-drop.conf'), ACTION);
  mkdirSync(join(cfg, 'jail.d'), { recursive: true });
  const banaction = kind.endsWith('iptables') ? 'scan-drop' : kind === 'logjail-nftables' ? 'logjail-nftables' : 'nftables[type=allports]';
  writeFileSync(join(cfg, 'jail.d', 'zz-bench.local'), `[sshd]
enabled = false
[postfix-scan]
enabled = true
filter = postfix-scan
logpath = ${log}
backend = ${kind.startsWith('fail2ban') ? 'pyinotify' : 'auto'}
maxretry = 1
findtime = 60
bantime = ${bantime}
banaction = ${banaction}
action = %(banaction)s
`);
  writeFileSync(join(cfg, 'fail2ban.local'), `[Definition]\ndbfile = ${join(dir, 'db.sqlite3')}\nloglevel = WARNING\n`);
  const argv = kind.startsWith('fail2ban')
    ? ['fail2ban-server', '-f', '-x', '-c', cfg, '-s', join(dir, 'sock'), '-p', join(dir, 'pid'), '--logtarget', join(dir, 'daemon.log'), '--loglevel', 'WARNING']
    : [process.execPath, BIN, 'server', '-c', cfg, '--socket', join(dir, 'sock'), '--db', join(dir, 'db.sqlite3'), '--pidfile', join(dir, 'pid'), '--logtarget', join(dir, 'daemon.log'), '--loglevel', 'WARNING'];
  const proc = ns.spawn(argv);
  // ready when its socket answers: poll with the matching client
  const client = kind.startsWith('fail2ban') ? ['fail2ban-client', '-s', join(dir, 'sock'), 'ping'] : [process.execPath, BIN, '--socket', join(dir, 'sock'), 'ping'];
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync('ip', ['netns', 'exec', ns.name, ...client], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > until) throw new Error(`${kind} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    name: kind, ns, log, proc,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      ns.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function latency(kind: Kind, n: number): Promise<number[]> {
  const d = await startDaemon(kind, 3600);
  const mon = new Monitor(d.ns);
  const out: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= n; i++) {
      const ip = ipOf(i);
      const t0 = performance.now();
      appendFileSync(d.log, session(ip, 1000 + i, new Date()));
      const t1 = await mon.wait(ip, 20_000);
      out.push(t1 - t0);
      // not back to back: each ban on its own
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    mon.stop();
    await d.stop();
  }
  return out.sort((a, b) => a - b);
}

async function burst(kind: Kind, n: number, timeoutMs: number): Promise<{ ms: number; done: number }> {
  const d = await startDaemon(kind, 3600);
  const mon = new Monitor(d.ns);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const base = Date.now() - 60_000;
    let text = '';
    for (let i = 1; i <= n; i++) text += session(ipOf(100_000 + i), 2000 + (i % 30000), new Date(base + Math.floor((i / n) * 60_000)));
    const t0 = performance.now();
    appendFileSync(d.log, text);
    const until = t0 + timeoutMs;
    while (mon.count < n && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    return { ms: performance.now() - t0, done: mon.count };
  } finally {
    mon.stop();
    await d.stop();
  }
}

export async function daemonBench(o: { bans: number; burst: number }): Promise<void> {
  const fmt = (x: number): string => `${x.toFixed(1)} ms`;
  const kinds: Kind[] = ['logjail-iptables', 'logjail-nftables', 'fail2ban-iptables'];
  const med: Record<string, number> = {};
  for (const k of kinds) {
    const l = await latency(k, o.bans);
    med[k] = percentile(l, 0.5);
    console.log(`latency: ${k.padEnd(18)} ${o.bans} bans: median ${fmt(percentile(l, 0.5))}, p99 ${fmt(percentile(l, 0.99))}, max ${fmt(l[l.length - 1]!)}`);
  }
  console.log(`latency: median ratio fail2ban / logjail (same iptables action): ${(med['fail2ban-iptables']! / med['logjail-iptables']!).toFixed(1)}x`);
  for (const k of ['logjail-nftables', 'fail2ban-nftables'] as Kind[]) {
    const b = await burst(k, o.burst, k.startsWith('fail2ban') ? 120_000 : 300_000);
    console.log(`burst:   ${k.padEnd(18)} ${b.done} of ${o.burst} offenders in the firewall after ${(b.ms / 1000).toFixed(2)} s${b.done < o.burst ? ' (gave up)' : ''}`);
  }
}
