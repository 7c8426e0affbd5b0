/**
 * The case that started the project, end to end: empty SMTP sessions (connect, then disconnect,
 * nothing between) from a few addresses, other sessions interleaved; a jail with maxretry 1, a
 * filter with maxlines 4 and a two-line failregex, and an own action whose actionban holds two
 * commands (iptables -I INPUT ... -j DROP, and a logger line). The jail is dropped into Debian's
 * stock /etc/fail2ban (copied, jail.conf, paths-*.conf and all). The daemon runs inside a
 * network namespace made for the test, so its iptables rules land there, never on the host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Namespace, haveProgram, namespacesAvailable } from '../actions/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logjail');
const usable = namespacesAvailable() && haveProgram('iptables') && existsSync('/etc/fail2ban/jail.conf');

const FILTER = `[Definition]
# a session: connect from a client, then the disconnect of the same smtpd process from the same
# client, with no mail in between; the lines of other sessions between them are given back to
# the buffer (<SKIPLINES>), so interleaved sessions are caught too
failregex = postfix/smtpd\\[(?P<pid>\\d+)\\]: connect from [^[\\s]*\\[<HOST>\\](?=\\n(?:(?!.*postfix/smtpd\\[(?P=pid)\\]).*\\n)*.*postfix/smtpd\\[(?P=pid)\\]: disconnect)<SKIPLINES>.*postfix/smtpd\\[(?P=pid)\\]: disconnect from [^[\\s]*\\[(?P=ip4)\\](?: (?:ehlo|helo|quit|commands)=\\d+(?:/\\d+)?)*$
maxlines = 4
datepattern = {^LN-BEG}
`;

const ACTION = `[Definition]
actionban = iptables -w -I INPUT -s <ip> -j DROP
            logger -t logjail-test "banned <ip> in <name>"
actionunban = iptables -w -D INPUT -s <ip> -j DROP
`;

function syslogNow(): string {
  const d = new Date();
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function waitFor(what: string, ms: number, ok: () => boolean, context: () => string = () => ''): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}\n${context()}`);
}

interface Run {
  ns: Namespace;
  dir: string;
  mail: string;
  daemon: ChildProcess;
  out: () => string;
  stop: () => Promise<void>;
}

async function startDaemon(bantime: number): Promise<Run> {
  const ns = new Namespace();
  const dir = mkdtempSync(join(tmpdir(), 'logjail-e2e-'));
  const cfg = join(dir, 'fail2ban');
  cpSync('/etc/fail2ban', cfg, { recursive: true });
  const mail = join(dir, 'mail.log');
  writeFileSync(mail, '');
  writeFileSync(join(cfg, 'filter.d', 'postfix-scan.conf'), FILTER);
  writeFileSync(join(cfg, 'action.d', 'scan-drop.conf'), ACTION);
  mkdirSync(join(cfg, 'jail.d'), { recursive: true });
  writeFileSync(join(cfg, 'jail.d', 'postfix-scan.local'), `[postfix-scan]
enabled = true
filter = postfix-scan
logpath = ${mail}
maxretry = 1
findtime = 60
bantime = ${bantime}
banaction = scan-drop
`);
  let output = '';
  const daemon = spawn(...ns.prefix.slice(0, 1) as [string], [...ns.prefix.slice(1), process.execPath, BIN, 'server', '-c', cfg,
    '--socket', join(dir, 'sock'), '--db', join(dir, 'db.sqlite3'), '--pidfile', join(dir, 'pid'), '--logtarget', 'STDERR', '--loglevel', 'INFO'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
  daemon.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
  await waitFor('the daemon to be ready', 20_000, () => output.includes('Server ready'));
  return {
    ns, dir, mail, daemon, out: () => output,
    stop: async () => {
      if (daemon.exitCode === null) {
        daemon.kill('SIGTERM');
        await new Promise((r) => daemon.once('exit', r));
      }
      ns.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeSessions(mail: string): void {
  const t = syslogNow();
  const lines = [
    // a real client: connect, mail, disconnect
    `${t} mx postfix/smtpd[200]: connect from mail.example.org[198.51.100.20]`,
    // scanners, interleaved with each other and with the real client
    `${t} mx postfix/smtpd[201]: connect from unknown[203.0.113.5]`,
    `${t} mx postfix/smtpd[200]: 4F2A1C3D: client=mail.example.org[198.51.100.20]`,
    `${t} mx postfix/smtpd[201]: disconnect from unknown[203.0.113.5] ehlo=1 quit=1 commands=2`,
    `${t} mx postfix/smtpd[202]: connect from unknown[203.0.113.6]`,
    `${t} mx postfix/smtpd[203]: connect from unknown[203.0.113.7]`,
    `${t} mx postfix/smtpd[202]: disconnect from unknown[203.0.113.6] commands=0/0`,
    `${t} mx postfix/smtpd[203]: disconnect from unknown[203.0.113.7] ehlo=1 commands=1`,
    `${t} mx postfix/smtpd[200]: disconnect from mail.example.org[198.51.100.20] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5`,
  ];
  appendFileSync(mail, lines.join('\n') + '\n');
}

function dropRules(ns: Namespace): string[] {
  return (ns.tryExec('iptables', '-w', '-S', 'INPUT') ?? '').split('\n').filter((l) => l.includes('-j DROP')).map((l) => l.replace(/^-A INPUT -s (\S+)\/32 -j DROP$/, '$1')).sort();
}

test('empty SMTP sessions get their addresses dropped by iptables moments after they are logged', { skip: !usable && 'needs root, ip netns, iptables and fail2ban\'s /etc/fail2ban', timeout: 60_000 }, async () => {
  const run = await startDaemon(86400);
  try {
    const written = Date.now();
    writeSessions(run.mail);
    await waitFor('three DROP rules', 10_000, () => dropRules(run.ns).length >= 3, run.out);
    const took = Date.now() - written;
    assert.deepEqual(dropRules(run.ns), ['203.0.113.5', '203.0.113.6', '203.0.113.7']);
    assert.match(run.out(), /\[postfix-scan\] Ban 203\.0\.113\.5/);
    assert.doesNotMatch(run.out(), /Ban 198\.51\.100\.20/, 'the client that sent mail is not banned');
    assert.ok(took < 10_000, `banned after ${took} ms`);
  } finally {
    await run.stop();
  }
});

test('the DROP rules are removed when the ban time ends', { skip: !usable && 'needs root, ip netns, iptables and fail2ban\'s /etc/fail2ban', timeout: 60_000 }, async () => {
  const run = await startDaemon(2);
  try {
    writeSessions(run.mail);
    await waitFor('three DROP rules', 10_000, () => dropRules(run.ns).length === 3, run.out);
    await waitFor('the rules to go', 10_000, () => dropRules(run.ns).length === 0);
    assert.match(run.out(), /\[postfix-scan\] Unban 203\.0\.113\.6/);
  } finally {
    await run.stop();
  }
});
