/**
 * The daemon as an admin meets it (each test in its own namespace and folder):
 * - values from log lines reach a shell action only escaped;
 * - manual ban and unban through the client, and bans ending on time;
 * - ignorecommand decides;
 * - a log rotated (rename + create) several times under a steady writer: every line counted once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, Setup, e2eUsable, syslogDate, waitFor } from './harness.js';

const usable = e2eUsable(['nft']);
const skip = !usable && 'needs root, ip netns and nft';

function failed(user: string, ip: string, pid: number): string {
  return `${syslogDate()} host sshd[${pid}]: Failed password for invalid user ${user} from ${ip} port 4242 ssh2`;
}

test('a hostile user name from the log is inert in a shell action', { skip, timeout: 60_000 }, async () => {
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: {
      'action.d/record.conf': `[Definition]
actionban = echo "<ip> user=<F-USER>" >> {dir}/record.txt
actionunban = true
`,
      'jail.d/zz-test.local': `[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 1
action = record
`,
    },
  });
  try {
    s.append('auth.log', []);
    await s.start();
    const evil = ['$(touch {dir}/pwned1)', '`touch {dir}/pwned2`', 'a;touch${IFS}{dir}/pwned3', '"quoted"'].map((u) => u.replaceAll('{dir}', s.dir));
    evil.forEach((u, i) => s.append('auth.log', [failed(u, `192.0.2.${100 + i}`, 900 + i)]));
    await waitFor('the four bans recorded', 10_000, () => existsSync(s.path('record.txt')) && readFileSync(s.path('record.txt'), 'utf8').split('\n').length > 4, () => s.out());
    for (const f of ['pwned1', 'pwned2', 'pwned3']) assert.equal(existsSync(s.path(f)), false, `${f} must not exist`);
    const rec = readFileSync(s.path('record.txt'), 'utf8');
    for (const u of evil) assert.ok(rec.includes(`user=${u}`), `the value arrives unchanged: ${u}`);
  } finally {
    await s.remove();
  }
});

test('manual ban and unban through the client, and a ban that ends on time', { skip, timeout: 60_000 }, async () => {
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: { 'jail.d/zz-test.local': `[sshd]\nenabled = true\nlogpath = {dir}/auth.log\nbantime = 2\n` },
  });
  try {
    s.append('auth.log', []);
    await s.start();
    const set = (): string[] => s.nftElements('inet', 'logjail', 'addr4-sshd');
    assert.equal(s.client('ban', 'sshd', '198.51.100.9', '198.51.100.10').code, 0);
    await waitFor('two manual bans', 5000, () => set().length === 2, () => s.out());
    assert.equal(s.client('unban', '198.51.100.9').code, 0);
    await waitFor('the unban', 5000, () => !set().includes('198.51.100.9'), () => s.out());
    const st = s.client('status', 'sshd', '--json');
    assert.equal(st.code, 0, st.err);
    const status = JSON.parse(st.out) as { actions: { currentlyBanned: number; totalBanned: number } };
    assert.equal(status.actions.currentlyBanned, 1);
    assert.equal(status.actions.totalBanned, 2);
    await waitFor('the ban to end', 6000, () => s.out().includes('Unban 198.51.100.10'), () => s.out());
    assert.deepEqual(set(), []);
    assert.equal(s.client('unban', '198.51.100.77').code, 0, 'unbanning an address not banned is not an error by default');
  } finally {
    await s.remove();
  }
});

test('ignorecommand: exit 0 spares the address', { skip, timeout: 60_000 }, async () => {
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: {
      'jail.d/zz-test.local': `[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 1
ignorecommand = test "<ip>" = 192.0.2.55
`,
    },
  });
  try {
    s.append('auth.log', []);
    await s.start();
    s.append('auth.log', [failed('a', '192.0.2.55', 1), failed('b', '192.0.2.56', 2)]);
    await waitFor('the other address banned', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('192.0.2.56'), () => s.out());
    assert.ok(!s.nftElements('inet', 'logjail', 'addr4-sshd').includes('192.0.2.55'));
  } finally {
    await s.remove();
  }
});

test('a log rotated under a steady writer: every line is counted exactly once', { skip, timeout: 120_000 }, async () => {
  // jail "once" bans at the first failure of an address: every address must be banned;
  // jail "twice" needs two: every address appears once, so a line read twice would ban
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: {
      'action.d/record.conf': `[Definition]\nactionban = echo "<name> <ip>" >> {dir}/record.txt\nactionunban = true\n`,
      'jail.d/zz-test.local': `[once]
enabled = true
filter = sshd
logpath = {dir}/auth.log
maxretry = 1
bantime = 3600

[twice]
enabled = true
filter = sshd
logpath = {dir}/auth.log
maxretry = 2
bantime = 3600
action = record
`,
    },
  });
  try {
    const log = s.path('auth.log');
    writeFileSync(log, '');
    await s.start();
    // a steady writer (a line every few ms) and logrotate's rename + create three times, a
    // couple of seconds apart (the writer goes on writing to the old file a little before it
    // reopens the new one, as syslog does until it is told)
    const n = 1200;
    let target = log;
    for (let i = 0; i < n; i++) {
      appendFileSync(target, failed('u', `10.9.${i >> 8}.${i & 255}`, 1000 + i) + '\n');
      if (i > 0 && i % 300 === 0) {
        renameSync(log, `${log}.${i}`);
        target = `${log}.${i}`;
      }
      if (i % 300 === 20 && i > 300) {
        writeFileSync(log, '');
        target = log;
      }
      await new Promise((r) => setTimeout(r, 6));
    }
    const recorded = (): string[] => (existsSync(s.path('record.txt')) ? readFileSync(s.path('record.txt'), 'utf8').split('\n').filter((l) => l !== '') : []);
    const banned = (): string[] => s.nftElements('inet', 'logjail', 'addr4-once');
    await waitFor(`${n} bans in jail once`, 60_000, () => banned().length >= n, () => `${banned().length} banned, ${(s.out().match(/\[once\] Ban /g) ?? []).length} bans logged, ${(s.out().match(/\[once\] Found /g) ?? []).length} found, missing: ${missing(s.out(), 'once', n)}, twice missing: ${missing(s.out(), 'twice', n)}\n${s.out().split('\n').filter((l) => !l.includes('Found')).slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(banned().length, n, 'every address banned');
    assert.equal((s.out().match(/\[once\] Ban /g) ?? []).length, n, 'each once');
    assert.deepEqual(recorded(), [], 'no line was read twice');
  } finally {
    await s.remove();
  }
});

function missing(out: string, jail: string, n: number): string {
  const seen = new Set([...out.matchAll(new RegExp(`\\[${jail}\\] Found 10\\.9\\.(\\d+)\\.(\\d+)`, 'g'))].map((m) => Number(m[1]) * 256 + Number(m[2])));
  const gaps: string[] = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && !seen.has(i)) { if (start < 0) start = i; } else if (start >= 0) { gaps.push(`${start}-${i - 1}`); start = -1; }
  }
  return gaps.join(',') || 'none';
}

test('a broken jail is reported and the others run; lines written while the daemon was down are read at restart; SIGHUP reloads', { skip, timeout: 90_000 }, async () => {
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: {
      'filter.d/broken.conf': '[Definition]\nfailregex = ^unclosed (group <HOST>\n',
      'jail.d/zz-test.local': `[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 2

[broken]
enabled = true
filter = broken
logpath = {dir}/auth.log
`,
    },
  });
  try {
    s.append('auth.log', []);
    await s.start();
    assert.match(s.out(), /Errors in jail 'broken'\. Skipping: .*LJ201/);
    assert.match(s.out(), /Server ready \(1 jail\(s\)\)/);
    await s.stop('SIGTERM');
    // written while the daemon is down
    s.append('auth.log', [failed('x', '203.0.113.91', 11), failed('y', '203.0.113.91', 12)]);
    await s.start();
    await waitFor('the ban from lines written while down', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('203.0.113.91'), () => s.out());
    // SIGHUP: the configuration is read again (a new jail appears)
    writeFileSync(join(s.cfg, 'jail.d', 'zz-more.local'), `[sshd-more]\nenabled = true\nfilter = sshd\nlogpath = ${s.path('more.log')}\nmaxretry = 1\n`);
    s.append('more.log', []);
    s.daemon!.kill('SIGHUP');
    await waitFor('the new jail after SIGHUP', 10_000, () => s.client('status').out.includes('sshd-more'), () => s.out());
    s.append('more.log', [failed('z', '203.0.113.92', 13)]);
    await waitFor('a ban by the new jail', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd-more').includes('203.0.113.92'), () => s.out());
    assert.ok(s.nftElements('inet', 'logjail', 'addr4-sshd').includes('203.0.113.91'), 'the reload kept the bans in force');
  } finally {
    await s.remove();
  }
});
