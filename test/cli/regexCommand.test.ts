import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'logjail');

/** Run `fn` in a fresh temporary directory, removed afterwards whatever happens. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-cli-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function logjail(args: string[], env: Record<string, string> = {}, uid?: number): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', env: { ...process.env, TZ: 'UTC', ...env }, timeout: 60_000, maxBuffer: 1 << 28, ...(uid !== undefined ? { uid } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('regex --out json prints one JSON object per failure and nothing else on stdout', () => {
  const r = logjail(['regex', '--out', 'json', join(ROOT, 'examples', 'auth.log'), 'sshd']);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { ip: string; time: number; line: number; user?: string });
  assert.ok(rows.length > 10);
  for (const o of rows) {
    assert.equal(typeof o.ip, 'string');
    assert.equal(typeof o.time, 'number');
    assert.ok(Number.isInteger(o.line) && o.line > 0);
  }
  assert.ok(rows.some((o) => o.ip === '192.0.2.5' && o.user === 'root'));
  // the admin's address written into a user name by an attacker is never the culprit
  assert.ok(!rows.some((o) => o.ip === '198.51.100.10'));
});

test('regex without --out prints a summary like fail2ban-regex', () => {
  const r = logjail(['regex', join(ROOT, 'examples', 'auth.log'), 'sshd']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Failregex: \d+ total$/m);
  assert.match(r.out, /^Lines: 153 lines, \d+ ignored, \d+ matched, \d+ missed$/m);
  assert.match(r.out, /Date template hits:/);
});

test('regex accepts a single log line and a regular expression as the filter', () => {
  const r = logjail(['regex', '--out', 'json', 'Aug 14 11:00:00 host app: login failed from 192.0.2.44', 'failed from <HOST>$']);
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out) as { ip: string; line: number };
  assert.equal(o.ip, '192.0.2.44');
  assert.equal(o.line, 1);
});

test('regex reads filters from another configuration directory with options', async () => {
  await inTempDir(async (dir) => {
    mkdirSync(join(dir, 'filter.d'));
    writeFileSync(join(dir, 'filter.d', 'app.conf'), '[Init]\nword = denied\n[Definition]\nfailregex = ^ app: <word> for <HOST>$\n');
    const log = join(dir, 'app.log');
    writeFileSync(log, 'Aug 14 11:00:00 app: denied for 192.0.2.1\nAug 14 11:00:01 app: refused for 192.0.2.2\n');
    const a = logjail(['regex', '--out', 'json', '-c', dir, log, 'app']);
    assert.equal(a.code, 0, a.err);
    assert.deepEqual(a.out.trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip), ['192.0.2.1']);
    const b = logjail(['regex', '--out', 'json', '-c', dir, log, 'app[word=refused]']);
    assert.deepEqual(b.out.trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip), ['192.0.2.2']);
  });
});

test('the empty postfix sessions of the example mail log are found by the multi-line filter', () => {
  const r = logjail(['regex', '--out', 'json', join(ROOT, 'examples', 'mail.log'), 'postfix-empty-session']);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.trim().split('\n').length > 3);
});

test('bad usage exits 64 and a bad regex exits 78, with a message and no stack trace', () => {
  const u = logjail(['regex', '--nope']);
  assert.equal(u.code, 64);
  assert.match(u.err, /LJ501/);
  const c = logjail(['regex', 'a line', '^(unclosed <HOST>']);
  assert.equal(c.code, 78);
  assert.match(c.err, /LJ201/);
  assert.doesNotMatch(c.err, /\n\s+at /);
});

test('a hostile line that makes fail2ban\'s rfc5424 sshd prefix backtrack for ever is skipped with LJ601', { skip: !existsSync('/etc/fail2ban/filter.d/sshd.conf') && 'fail2ban is not installed' }, async () => {
  await inTempDir(async (dir) => {
    const log = join(dir, 'rfc5424.log');
    writeFileSync(log, `<34>1 2005-08-14T10:00:00Z host sshd 123 ID47 ${'[a="b" '.repeat(14)}Failed password for root from 192.0.2.7 port 22 ssh2 x\n`
      + '<34>1 2005-08-14T10:00:01Z host sshd 123 ID47 [a="b"] Failed password for root from 192.0.2.8 port 22 ssh2\n');
    const started = Date.now();
    const r = logjail(['regex', '--out', 'json', '--line-timeout', '300', '-c', '/etc/fail2ban', log, 'sshd[logtype=rfc5424]']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /LJ601.*line 1/);
    assert.deepEqual(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { ip: string }).ip), ['192.0.2.8']);
    assert.ok(Date.now() - started < 10_000);
  });
});

test('the two-thread JSON path prints exactly what the one-thread path prints', async () => {
  const { writeLog } = await import('../../bench/genSyslog.js');
  await inTempDir(async (dir) => {
    const log = join(dir, 'syslog');
    await writeLog(log, { lines: 20000, seed: 5, end: 1795000000 });
    // a line without date and a line joined across read blocks are covered by the generator's
    // size (several blocks) and by appending odd lines
    // a non-ASCII block between ASCII ones (decoded differently; the worker reads ASCII blocks shared)
    writeFileSync(log, 'Aug 14 10:00:00 host sshd[1]: Failed password for invalid user J\u00fcrgen from 192.0.2.201 port 22 ssh2\n', { flag: 'a' });
    await writeLog(join(dir, 'more'), { lines: 20000, seed: 6, end: 1795000000 });
    writeFileSync(log, readFileSync(join(dir, 'more')), { flag: 'a' });
    writeFileSync(log, 'host sshd[1]: Failed password for root from 192.0.2.200 port 22 ssh2\n', { flag: 'a' });
    for (const filter of ['sshd', 'sshd[mode=aggressive]']) {
      const one = logjail(['regex', '--out', 'json', '--threads', '1', log, filter]);
      const two = logjail(['regex', '--out', 'json', '--threads', '2', log, filter]);
      assert.equal(one.code, 0, one.err);
      assert.equal(two.code, 0, two.err);
      assert.ok(one.out.split('\n').length > 1000, filter);
      assert.match(one.out, /"ip":"192\.0\.2\.201"/);
      // the undated line is reported at "now", which differs between the two runs
      const norm = (out: string): string => out.replace(/"time":(\d+(?:\.\d+)?)/g, (m, t: string) => Math.abs(Number(t) - Date.now() / 1000) < 300 ? '"time":"now"' : m);
      assert.equal(norm(two.out), norm(one.out), filter);
      assert.match(norm(one.out), /"time":"now","line":40002/);
    }
  });
});

test('the two-thread JSON path reads lines with other than ASCII text with Unicode \\w and \\s, as Python does', async () => {
  await inTempDir(async (dir) => {
    const log = join(dir, 'log');
    // \w must take "é", \s must take a no-break space (U+00A0): the ASCII-only translations do not
    writeFileSync(log, [
      'Nov 24 10:00:00 host sshd[1]: Failed for jos\u00e9 from 192.0.2.1',
      'Nov 24 10:00:01 host sshd[1]: Failed for bob from 192.0.2.2',
      'Nov 24 10:00:02 host sshd[1]: Failed for\u00a0carol from 192.0.2.3',
      '',
    ].join('\n'), 'utf8');
    const re = 'Failed for\\s(?P<user>\\w+) from <HOST>';
    const one = logjail(['regex', '--out', 'json', '--threads', '1', log, re]);
    const two = logjail(['regex', '--out', 'json', '--threads', '2', log, re]);
    assert.equal(one.code, 0, one.err);
    assert.equal(two.code, 0, two.err);
    assert.deepEqual(one.out.trim().split('\n').map((l) => (JSON.parse(l) as { user: string }).user), ['jos\u00e9', 'bob', 'carol']);
    assert.equal(two.out, one.out);
  });
});

test('errors while the match worker runs end the command with the error, not a hang or a stack trace', async () => {
  const log = join(ROOT, 'examples', 'auth.log');
  // the worker starts before the filter is known; the filter is then refused
  const bad = logjail(['regex', '--out', 'json', log, 'Failed password']);
  assert.equal(bad.code, 78, bad.err);
  assert.match(bad.err, /^error LJ203/);
  assert.doesNotMatch(bad.err, /\n\s+at /);
  if (process.getuid?.() !== 0) return;
  // a log file the user may not read (as nobody; root may read anything)
  await inTempDir(async (dir) => {
    const secret = join(dir, 'secret.log');
    writeFileSync(secret, 'Aug 14 10:00:00 host sshd[1]: Failed password for root from 192.0.2.9 port 22 ssh2\n', { mode: 0o600 });
    chmodSync(dir, 0o755);
    for (const args of [['--out', 'json'], []]) {
      const r = logjail(['regex', ...args, secret, 'sshd'], {}, 65534);
      assert.equal(r.code, 66, r.err);
      assert.match(r.err, /^error LJ503: cannot read the log file: .*secret\.log: permission denied/);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });
});

test('JSON output survives a slow reader and ends quietly when the reader goes away', async () => {
  const { writeLog } = await import('../../bench/genSyslog.js');
  await inTempDir(async (dir) => {
    const log = join(dir, 'syslog');
    await writeLog(log, { lines: 30000, seed: 7, end: 1795000000 });
    const direct = logjail(['regex', '--out', 'json', '--threads', '1', log, 'sshd']);
    assert.equal(direct.code, 0, direct.err);
    assert.ok(direct.out.length > 4 * 65536, 'more output than a pipe holds');
    const sh = (cmd: string): { code: number | null; out: string; err: string } => {
      const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const run = `"${process.execPath}" "${BIN}" regex --out json`;
    for (const threads of ['1', '2']) {
      // the reader starts late: the pipe fills up and writes must wait, not fail or time out
      const slow = sh(`${run} --threads ${threads} "${log}" sshd | (sleep 1; cat); exit \${PIPESTATUS[0]}`);
      assert.equal(slow.code, 0, slow.err);
      assert.equal(slow.err, '', `threads ${threads}`);
      assert.equal(slow.out, direct.out, `threads ${threads}`);
      // the reader stops after one line
      const head = sh(`${run} --threads ${threads} "${log}" sshd | head -1; exit \${PIPESTATUS[0]}`);
      assert.equal(head.code, 0, head.err);
      assert.equal(head.err, '', `threads ${threads}`);
      assert.equal(head.out, direct.out.slice(0, direct.out.indexOf('\n') + 1));
    }
  });
});

test('a worker far behind the reader (a slow reader of stdout) makes the reader wait; block buffers are reused only when free', async () => {
  const { writeLog } = await import('../../bench/genSyslog.js');
  await inTempDir(async (dir) => {
    const log = join(dir, 'syslog');
    // more 1 MiB blocks than go round between the two threads (32)
    await writeLog(log, { lines: 320000, seed: 11, end: 1795000000 });
    assert.ok(statSync(log).size > 40 << 20);
    const direct = logjail(['regex', '--out', 'json', '--threads', '1', log, 'sshd']);
    assert.equal(direct.code, 0, direct.err);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" regex --out json --threads 2 "${log}" sshd | (sleep 2; cat); exit \${PIPESTATUS[0]}`],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000, maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, direct.out);
  });
});

test('blocks with other than ASCII text (decoded, not shared) do not keep shared buffers from going round', async () => {
  const { writeLog } = await import('../../bench/genSyslog.js');
  await inTempDir(async (dir) => {
    const log = join(dir, 'syslog');
    await writeLog(log, { lines: 300000, seed: 5, end: 1795000000 });
    // a line with a non-ASCII character every 3,000 lines: every 1 MiB block has one
    const lines = readFileSync(log, 'latin1').split('\n');
    const out: string[] = [];
    lines.forEach((l, i) => {
      out.push(l);
      if (i % 3000 === 0 && l !== '') out.push(l.replace(/$/, ' caf\u00e9'));
    });
    writeFileSync(log, out.join('\n'), 'utf8');
    assert.ok(statSync(log).size > 36 << 20);
    const one = logjail(['regex', '--out', 'json', '--threads', '1', log, 'sshd']);
    assert.equal(one.code, 0, one.err);
    const two = logjail(['regex', '--out', 'json', '--threads', '2', log, 'sshd'], { LOGJAIL_DEBUG_TIMES: '1' });
    assert.equal(two.code, 0, two.err);
    assert.equal(two.out, one.out);
    // the reader never had to give up waiting for a buffer the worker had long finished with
    assert.match(two.err, /pool-timeouts 0\b/);
  });
});
