import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { clientCommand, exitCodeOf } from '../../src/cli/clientCommands.js';
import { type Running, startServer, tempDir } from './helpers.js';

process.env['TZ'] = 'UTC';

interface Run { code: number; out: string; err: string }

let r: Running;
before(async () => { r = await startServer(); });
after(async () => { await r.done(); });

/** `logjail --socket <test socket> ...args`, in this process. */
async function logjail(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await clientCommand(['--socket', r.socket, ...args], { out: (t) => { out += t; }, err: (t) => { err += t; }, env });
  return { code, out, err };
}

async function withoutSocket(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await clientCommand(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, env });
  return { code, out, err };
}

function ok(run: Run): string {
  assert.equal(run.code, 0, run.err);
  assert.equal(run.err, '');
  return run.out;
}

function json(run: Run): unknown {
  assert.equal(run.code, 0, run.err);
  assert.ok(run.out.endsWith('\n') && !run.out.slice(0, -1).includes('\n'), 'one line of JSON');
  return JSON.parse(run.out);
}

test('status lists the jails like fail2ban-client', async () => {
  assert.equal(ok(await logjail(['status'])), 'Status\n|- Number of jail:\t2\n`- Jail list:\tsshd, postfix\n');
  assert.deepEqual(json(await logjail(['status', '--json'])), { jails: ['sshd', 'postfix'] });
});

test('status JAIL prints the filter and actions tree, with the journal matches for a journal jail', async () => {
  assert.equal(ok(await logjail(['status', 'sshd'])), [
    'Status for the jail: sshd',
    '|- Filter',
    '|  |- Currently failed:\t1',
    '|  |- Total failed:\t4',
    '|  `- File list:\t/var/log/auth.log /var/log/auth.log.1',
    '`- Actions',
    '   |- Currently banned:\t2',
    '   |- Total banned:\t3',
    '   `- Banned IP list:\t192.0.2.7 203.0.113.9',
    '',
  ].join('\n'));
  assert.match(ok(await logjail(['status', 'postfix'])), /\|  `- Journal matches:\t_SYSTEMD_UNIT=postfix\.service \+ _COMM=smtpd\n/);
  // fail2ban's short flavour leaves the address list out
  assert.doesNotMatch(ok(await logjail(['status', 'sshd', 'short'])), /Banned IP list/);
  assert.match(ok(await logjail(['status', 'sshd', 'short'])), /   `- Total banned:\t3\n$/);
  assert.deepEqual(json(await logjail(['--json', 'status', 'sshd'])), {
    name: 'sshd',
    filter: { currentlyFailed: 1, totalFailed: 4, files: ['/var/log/auth.log', '/var/log/auth.log.1'] },
    actions: { currentlyBanned: 2, totalBanned: 3, banned: ['192.0.2.7', '203.0.113.9'] },
  });
});

test('ping and version', async () => {
  assert.equal(ok(await logjail(['ping'])), 'Server replied: pong\n');
  assert.deepEqual(json(await logjail(['ping', '--json'])), { reply: 'pong' });
  assert.equal(ok(await logjail(['version'])), '0.1.0-test\n');
  assert.deepEqual(json(await logjail(['version', '--json'])), { version: '0.1.0-test' });
});

test('ban and fail2ban\'s set JAIL banip print how many addresses were newly banned', async () => {
  assert.equal(ok(await logjail(['ban', 'sshd', '192.0.2.31', '192.0.2.32'])), '2\n');
  assert.equal(ok(await logjail(['set', 'sshd', 'banip', '192.0.2.32', '192.0.2.33'])), '1\n');
  assert.deepEqual(json(await logjail(['ban', 'sshd', '192.0.2.33', '192.0.2.34', '--json'])), { jail: 'sshd', requested: 2, banned: 1 });
  assert.ok(r.controller.calls.includes('ban sshd 192.0.2.32 192.0.2.33'));
});

test('unban in every jail, in one jail, and fail2ban\'s set JAIL unbanip print how many bans were lifted', async () => {
  await logjail(['ban', 'sshd', '192.0.2.41', '192.0.2.42', '192.0.2.43']);
  await logjail(['ban', 'postfix', '192.0.2.41']);
  assert.equal(ok(await logjail(['unban', '192.0.2.41'])), '2\n');
  assert.equal(ok(await logjail(['unban', '--jail', 'sshd', '192.0.2.42'])), '1\n');
  assert.equal(ok(await logjail(['set', 'sshd', 'unbanip', '192.0.2.43', '192.0.2.44'])), '1\n');
  assert.deepEqual(json(await logjail(['unban', '--json', '192.0.2.44'])), { jail: null, unbanned: 0 });
  const absent = await logjail(['set', 'sshd', 'unbanip', '--report-absent', '192.0.2.44']);
  assert.equal(absent.code, 1);
  assert.match(absent.err, /^error LJ676: address is not banned: not banned in sshd: 192\.0\.2\.44/);
});

test('banned prints a table with the end of each ban, or says there is none', async () => {
  const out = ok(await logjail(['banned', 'postfix']));
  assert.equal(out, [
    'Jail     Address       Banned since         Ban ends  Bans',
    'postfix  198.51.100.4  2026-09-21 14:12:30  never     3',
    '',
  ].join('\n'));
  assert.match(ok(await logjail(['banned'])), /^sshd +192\.0\.2\.7 +2026-09-21 14:13:20 +2026-09-21 14:23:20 +1$/m);
  assert.equal(ok(await logjail(['banned', '192.0.2.200'])), 'No address is banned (192.0.2.200)\n');
  assert.deepEqual(json(await logjail(['banned', 'postfix', '--json'])), {
    banned: [{ jail: 'postfix', ip: '198.51.100.4', since: 1_789_999_950, until: null, count: 3 }],
  });
});

test('get prints settings the way fail2ban-client does', async () => {
  assert.equal(ok(await logjail(['get', 'sshd', 'maxretry'])), '5\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'ignoreself'])), 'True\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'ignoreip'])), 'These IP addresses/networks are ignored:\n|- 127.0.0.1/8\n`- ::1\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'failregex'])),
    'The following regular expressions are defined:\n|- [0]: ^Failed password for .* from <HOST>$\n`- [1]: ^Invalid user \\S+ from <HOST>$\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'logpath'])), 'Current monitored log file(s):\n`- /var/log/auth.log\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'actions'])), 'The jail sshd has the following actions:\niptables-multiport, sendmail\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'journalmatch'])), 'No journal match filter set\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'datepattern'])), 'Current date pattern set to: Not set/required\n');
  assert.equal(ok(await logjail(['get', 'sshd', 'ignoreregex'])), 'None\n');
  assert.deepEqual(json(await logjail(['get', 'sshd', 'ignoreip', '--json'])), { jail: 'sshd', setting: 'ignoreip', value: ['127.0.0.1/8', '::1'] });
});

test('fail2ban\'s get JAIL banned and get JAIL banip forms', async () => {
  assert.equal(ok(await logjail(['get', 'postfix', 'banned'])), '198.51.100.4\n');
  assert.equal(ok(await logjail(['get', 'postfix', 'banned', '198.51.100.4'])), '1\n');
  assert.equal(ok(await logjail(['get', 'postfix', 'banned', '198.51.100.4', '192.0.2.1'])), '[1, 0]\n');
  assert.equal(ok(await logjail(['get', 'postfix', 'banip', '--with-time'])), '198.51.100.4 \t2026-09-21 14:12:30 + -1 = never\n');
  const sshd = ok(await logjail(['get', 'sshd', 'banip', '--with-time'])).split('\n');
  assert.equal(sshd[0], '203.0.113.9 \t2026-09-21 14:11:40 + 400 = 2026-09-21 14:18:20');
  assert.equal(sshd[1], '192.0.2.7 \t2026-09-21 14:13:20 + 600 = 2026-09-21 14:23:20');
  assert.match(ok(await logjail(['get', 'sshd', 'banip', ','])), /^203\.0\.113\.9,192\.0\.2\.7(,[\d.]+)*\n$/);
  assert.deepEqual(json(await logjail(['get', 'postfix', 'banip', '--json'])), { jail: 'postfix', setting: 'banip', value: ['198.51.100.4'] });
});

test('set prints the new value; a negative number is a value, not an option', async () => {
  assert.equal(ok(await logjail(['set', 'sshd', 'bantime', '-1'])), '-1\n');
  assert.ok(r.controller.calls.includes('set sshd bantime -1'));
  assert.equal(ok(await logjail(['set', 'sshd', 'ignoreip', '10.0.0.0/8'])), 'These IP addresses/networks are ignored:\n|- 127.0.0.1/8\n|- ::1\n`- 10.0.0.0/8\n');
  assert.deepEqual(json(await logjail(['set', 'sshd', 'findtime', '300', '--json'])), { jail: 'sshd', setting: 'findtime', value: 300 });
  // a value with dashes goes after "--"
  const dashed = await logjail(['set', 'sshd', 'failregex', '--', '--x']);
  assert.equal(dashed.code, 64);
  assert.ok(r.controller.calls.includes('set sshd failregex --x'));
});

test('reload prints OK; a configuration error of the daemon exits 78 with its place and hint', async () => {
  assert.equal(ok(await logjail(['reload'])), 'OK\n');
  assert.equal(ok(await logjail(['reload', '--unban', 'postfix'])), 'OK\n');
  assert.deepEqual(json(await logjail(['reload', 'sshd', '--json'])), { jail: 'sshd', reloaded: true });
  assert.equal(ok(await logjail(['reload', '--if-exists', 'gone'])), 'No jail "gone" is running; nothing was reloaded\n');
  const broken = await logjail(['reload', 'broken']);
  assert.equal(broken.code, 78);
  assert.equal(broken.out, '');
  assert.equal(broken.err, 'error LJ111: /etc/fail2ban/jail.local:12: [broken] bantime: invalid duration: "3 fortnights" is not a duration\n'
    + '  hint: use seconds or a duration such as "10m", "1h30m", "2 days", "1w"\n');
  const brokenJson = await logjail(['reload', 'broken', '--json']);
  assert.equal(brokenJson.code, 78);
  assert.deepEqual(Object.keys((JSON.parse(brokenJson.out) as { error: object }).error), ['code', 'message', 'hint']);
});

test('errors of the daemon exit 1 (failed) or 64 (bad usage), without a stack trace', async () => {
  const unknown = await logjail(['status', 'nosuch']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /^error LJ660: no such jail: there is no jail "nosuch" running\n  hint: running jails: sshd, postfix\n$/);
  const internal = await logjail(['get', 'sshd', 'idle']);
  assert.equal(internal.code, 1);
  assert.match(internal.err, /LJ699.*idle is broken/);
  assert.doesNotMatch(internal.err, /\n\s+at /);
  const badIp = await logjail(['ban', 'sshd', 'bad']);
  assert.equal(badIp.code, 64);
  const jailFirst = await logjail(['unban', 'sshd', '192.0.2.1']);
  assert.equal(jailFirst.code, 64);
  assert.match(jailFirst.err, /hint: to unban in one jail write "unban --jail sshd IP\.\.\."/);
});

test('bad usage exits 64 before any connection, naming the problem', async () => {
  const calls = r.controller.calls.length;
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /LJ671.*unknown command "frobnicate"/],
    [['ban', 'sshd'], /LJ671.*does not match ban JAIL IP/],
    [['status', '--all'], /LJ501.*--all does not go with "status"/],
    [['unban', '--all', '192.0.2.1'], /LJ501.*addresses or --all, not both/],
    [['get', 'sshd'], /LJ671/],
    [['set', 'sshd', 'maxretry', '3', '--report-absent'], /LJ501.*--report-absent goes with "set JAIL unbanip/],
    [['status', '--bogus'], /LJ501.*unknown option --bogus/],
    [['status', '--timeout'], /LJ501.*--timeout needs a value/],
    [['status', '--timeout', 'soon'], /LJ501.*--timeout needs seconds/],
    [['status', '--json=yes'], /LJ501.*--json takes no value/],
    [['stop', 'sshd'], /LJ671.*stopping one jail is not supported/],
  ];
  for (const [args, pattern] of cases) {
    const run = await logjail(args);
    assert.equal(run.code, 64, args.join(' '));
    assert.match(run.err, pattern, args.join(' '));
    assert.equal(run.out, '');
  }
  const noCommand = await withoutSocket([]);
  assert.equal(noCommand.code, 64);
  assert.equal(r.controller.calls.length, calls, 'nothing reached the daemon');
  const withJson = await logjail(['ban', 'sshd', '--json']);
  assert.equal(withJson.code, 64);
  assert.equal((JSON.parse(withJson.out) as { error: { code: string } }).error.code, 'LJ671');
});

test('help prints the client commands and exits 0', async () => {
  const h = await withoutSocket(['status', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /ban JAIL IP\.\.\./);
  assert.match(h.out, /--socket PATH/);
});

test('a daemon that is not running exits 69 and says how to start it', async () => {
  const t = tempDir();
  try {
    const missing = await withoutSocket(['--socket', path.join(t.dir, 'none.sock'), 'status']);
    assert.equal(missing.code, 69);
    assert.match(missing.err, /^error LJ672: the logjail daemon is not reachable: there is no control socket at .*none\.sock\n  hint: start it with "systemctl start logjail"/);
    assert.equal(missing.out, '');
    // a socket file left behind with nobody listening
    const stale = path.join(t.dir, 'stale.sock');
    const { execFileSync } = await import('node:child_process');
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', stale]);
    const refused = await withoutSocket(['status', '--json'], { LOGJAIL_SOCKET: stale });
    assert.equal(refused.code, 69);
    assert.match(refused.err, /nothing answers on .*stale\.sock/);
    assert.equal((JSON.parse(refused.out) as { error: { code: string } }).error.code, 'LJ672');
    // something that is not a socket at all
    const file = path.join(t.dir, 'file');
    fs.writeFileSync(file, '');
    assert.equal((await withoutSocket(['-s', file, 'ping'])).code, 69);
  } finally {
    t.remove();
  }
});

test('a daemon that does not answer in time exits 69 after --timeout', async () => {
  let release: () => void = () => undefined;
  r.controller.delay = () => new Promise<void>((resolve) => { release = resolve; });
  try {
    const slow = await logjail(['ban', 'sshd', '192.0.2.77', '--timeout', '0.2']);
    assert.equal(slow.code, 69);
    assert.match(slow.err, /did not answer "ban" within 0\.2 s/);
  } finally {
    r.controller.delay = null;
    release();
  }
});

test('the socket path comes from --socket, then LOGJAIL_SOCKET, then the fail2ban.conf of --config', async () => {
  const t = tempDir();
  try {
    fs.writeFileSync(path.join(t.dir, 'fail2ban.conf'), `[Definition]\nsocket = /nonexistent/from-conf.sock\n`);
    fs.writeFileSync(path.join(t.dir, 'fail2ban.local'), `[Definition]\nsocket = ${r.socket}\n`);
    assert.equal(ok(await withoutSocket(['-c', t.dir, 'ping'])), 'Server replied: pong\n');
    assert.equal(ok(await withoutSocket(['ping'], { LOGJAIL_SOCKET: r.socket })), 'Server replied: pong\n');
    // --socket wins over the environment, which wins over --config
    assert.equal((await withoutSocket(['-c', t.dir, 'ping'], { LOGJAIL_SOCKET: '/nonexistent/env.sock' })).code, 69);
    assert.equal(ok(await withoutSocket(['--socket', r.socket, 'ping'], { LOGJAIL_SOCKET: '/nonexistent/env.sock' })), 'Server replied: pong\n');
    fs.writeFileSync(path.join(t.dir, 'fail2ban.local'), '[Definition]\nloglevel = LOUD\n');
    const badConf = await withoutSocket(['-c', t.dir, 'ping']);
    assert.equal(badConf.code, 78);
    assert.match(badConf.err, /LJ109.*fail2ban\.local/);
  } finally {
    t.remove();
  }
});

test('error codes map to the documented exit statuses', () => {
  assert.equal(exitCodeOf('LJ672'), 69);
  assert.equal(exitCodeOf('LJ501'), 64);
  assert.equal(exitCodeOf('LJ671'), 64);
  assert.equal(exitCodeOf('LJ111'), 78);
  assert.equal(exitCodeOf('LJ201'), 78);
  assert.equal(exitCodeOf('LJ660'), 1);
  assert.equal(exitCodeOf('LJ699'), 1);
});
