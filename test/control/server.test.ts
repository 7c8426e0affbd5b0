import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { ControlServer } from '../../src/control/server.js';
import { LogjailError } from '../../src/errors.js';
import { ask, exchange, FakeController, MemoryLog, request, startServer, T0, tempDir } from './helpers.js';

type Answer = Record<string, unknown>;
const errorOf = (a: Answer): { code: string; message: string; hint: string } => a['error'] as { code: string; message: string; hint: string };

test('the socket is created 0600 in a folder created 0700, and close() removes it', async () => {
  const r = await startServer();
  try {
    const st = fs.lstatSync(r.socket);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(r.socket)).mode & 0o777, 0o700);
    assert.deepEqual(await ask(r.socket, 'ping'), { id: 1, ok: true, result: { reply: 'pong' } });
    assert.ok(r.log.lines.includes(`INFO Control socket listening at ${r.socket}`));
  } finally {
    await r.server.close();
  }
  assert.equal(fs.existsSync(r.socket), false);
  // the folder was there before the socket: it stays
  assert.ok(fs.existsSync(path.dirname(r.socket)));
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test('an existing folder keeps its mode: only a folder the server creates is made 0700', async () => {
  const t = tempDir();
  fs.chmodSync(t.dir, 0o755);
  const s = new ControlServer(new FakeController(), { path: path.join(t.dir, 'x.sock') });
  try {
    await s.listen();
    assert.equal(fs.statSync(t.dir).mode & 0o777, 0o755);
    assert.equal(fs.lstatSync(path.join(t.dir, 'x.sock')).mode & 0o777, 0o600);
  } finally {
    await s.close();
    t.remove();
  }
});

test('a second server refuses to start while the first answers, and leaves its socket alone', async () => {
  const r = await startServer();
  try {
    const second = new ControlServer(new FakeController(), { path: r.socket });
    await assert.rejects(second.listen(), (e: unknown) => e instanceof LogjailError && e.code === 'LJ673' && e.message.includes(r.socket));
    await second.close();
    assert.deepEqual(await ask(r.socket, 'ping'), { id: 1, ok: true, result: { reply: 'pong' } });
  } finally {
    await r.done();
  }
});

test('a stale socket left by a dead daemon is removed and replaced', async () => {
  const t = tempDir();
  const sock = path.join(t.dir, 'stale.sock');
  // a process binds the socket and exits without removing it, as a killed daemon would
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sock]);
  assert.ok(fs.lstatSync(sock).isSocket());
  const log = new MemoryLog();
  const s = new ControlServer(new FakeController(), { path: sock, log });
  try {
    await s.listen();
    assert.ok(log.lines.some((l) => l.startsWith('WARN Removed the stale control socket')));
    assert.equal(fs.lstatSync(sock).mode & 0o777, 0o600);
    assert.deepEqual(await ask(sock, 'version'), { id: 1, ok: true, result: { version: '0.1.0-test' } });
  } finally {
    await s.close();
    t.remove();
  }
});

test('a file that is not a socket is never removed to make room', async () => {
  const t = tempDir();
  const p = path.join(t.dir, 'not-a-socket');
  fs.writeFileSync(p, 'precious');
  const s = new ControlServer(new FakeController(), { path: p });
  try {
    await assert.rejects(s.listen(), (e: unknown) => e instanceof LogjailError && e.code === 'LJ674' && /is not a socket/.test(e.message));
    assert.equal(fs.readFileSync(p, 'utf8'), 'precious');
  } finally {
    t.remove();
  }
});

test('a socket path too long for a Unix socket address is refused with the reason', async () => {
  const s = new ControlServer(new FakeController(), { path: '/tmp/' + 'd'.repeat(120) + '/x.sock' });
  await assert.rejects(s.listen(), (e: unknown) => e instanceof LogjailError && e.code === 'LJ674' && /longer than 107 bytes/.test(e.message));
});

test('commands are answered with their results, with the id of the request', async () => {
  const r = await startServer();
  try {
    const x = await exchange(r.socket, [
      request(10, 'status'),
      request(11, 'status', 'sshd'),
      request(12, 'ban', 'sshd', '192.0.2.99'),
      request(13, 'get', 'sshd', 'maxretry'),
      request(14, 'set', 'sshd', 'maxretry', '3'),
      request(15, 'get', 'sshd', 'banip', '--with-time'),
      request(16, 'banned', 'postfix'),
    ].join(''), 7);
    assert.deepEqual(x.answers.map((a) => a['id']), [10, 11, 12, 13, 14, 15, 16]);
    assert.deepEqual(x.answers.map((a) => a['ok']), [true, true, true, true, true, true, true]);
    const [status, jail, ban, get, set, banip, banned] = x.answers.map((a) => a['result']);
    assert.deepEqual(status, { jails: ['sshd', 'postfix'] });
    assert.deepEqual(jail, {
      name: 'sshd',
      filter: { currentlyFailed: 1, totalFailed: 4, files: ['/var/log/auth.log', '/var/log/auth.log.1'] },
      actions: { currentlyBanned: 2, totalBanned: 3, banned: ['192.0.2.7', '203.0.113.9'] },
    });
    assert.deepEqual(ban, { jail: 'sshd', requested: 1, banned: 1 });
    assert.deepEqual(get, { jail: 'sshd', setting: 'maxretry', value: 5 });
    assert.deepEqual(set, { jail: 'sshd', setting: 'maxretry', value: 3 });
    // by end of ban: 203.0.113.9 ends first
    assert.deepEqual(banip, { jail: 'sshd', setting: 'banip', value: [
      { jail: 'sshd', ip: '203.0.113.9', since: T0 - 100, until: T0 + 300, count: 2 },
      { jail: 'sshd', ip: '192.0.2.7', since: T0, until: T0 + 600, count: 1 },
      { jail: 'sshd', ip: '192.0.2.99', since: T0, until: T0 + 3600, count: 1 },
    ] });
    assert.deepEqual(banned, { banned: [{ jail: 'postfix', ip: '198.51.100.4', since: T0 - 50, until: null, count: 3 }] });
    assert.ok(r.controller.calls.includes('ban sshd 192.0.2.99'));
    assert.ok(r.controller.calls.includes('set sshd maxretry 3'));
  } finally {
    await r.done();
  }
});

test('bad requests get error answers and the connection keeps serving', async () => {
  const r = await startServer();
  try {
    const x = await exchange(r.socket, [
      'this is not json\n',
      '{"id": 2, "cmd": "status"}\n',
      '{"id": 3, "cmd": ["ban", "sshd", 7]}\n',
      request(4, 'frobnicate'),
      request(5, 'status', 'nosuchjail'),
      request(6, 'ban', 'sshd', 'bad'),
      request(7, 'get', 'sshd', 'idle'),
      '\n\r\n',
      request(8, 'ping'),
    ].join(''), 8);
    const [notJson, cmdString, cmdNumber, unknown, noJail, badIp, internal, ping] = x.answers;
    assert.equal(notJson!['id'], null);
    assert.equal(errorOf(notJson!).code, 'LJ670');
    assert.equal(cmdString!['id'], 2);
    assert.equal(errorOf(cmdString!).code, 'LJ670');
    assert.match(errorOf(cmdNumber!).message, /"cmd" item 2 must be a string/);
    assert.equal(errorOf(unknown!).code, 'LJ671');
    assert.equal(errorOf(noJail!).code, 'LJ660');
    assert.match(errorOf(noJail!).hint, /running jails: sshd, postfix/);
    assert.equal(errorOf(badIp!).code, 'LJ501');
    // a bug in the daemon: the client gets the message and no stack; the log gets the stack
    assert.equal(errorOf(internal!).code, 'LJ699');
    assert.match(errorOf(internal!).message, /idle is broken in this fake/);
    assert.doesNotMatch(JSON.stringify(internal), /\bat .*\.js:\d+/);
    assert.ok(r.log.lines.some((l) => l.startsWith('ERROR control request') && /TypeError: idle is broken[\s\S]*\.js:\d+/.test(l)));
    assert.deepEqual(ping, { id: 8, ok: true, result: { reply: 'pong' } });
    assert.equal(x.closedByServer, false);
  } finally {
    await r.done();
  }
});

test('garbage bytes (binary, invalid UTF-8, NUL) are answered as errors without harm', async () => {
  const r = await startServer();
  try {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0x7b, 0x22, 0x69, 0x64, 0x0a]);
    const x = await exchange(r.socket, [junk, request(9, 'ping')], 3);
    assert.deepEqual(x.answers.map((a) => a['ok']), [false, false, true]);
    assert.deepEqual(x.answers.map((a) => errorOf(a)?.code ?? null), ['LJ670', 'LJ670', null]);
  } finally {
    await r.done();
  }
});

test('a request line over 64 KiB is answered with an error and the connection is closed', async () => {
  const r = await startServer();
  try {
    const big = JSON.stringify({ id: 1, cmd: ['ban', 'sshd', 'x'.repeat(70 * 1024)] }) + '\n';
    const x = await exchange(r.socket, [request(1, 'ping'), big, request(3, 'ping')], 5);
    assert.equal(x.answers.length, 2);
    assert.deepEqual(x.answers[0], { id: 1, ok: true, result: { reply: 'pong' } });
    assert.equal(errorOf(x.answers[1]!).code, 'LJ670');
    assert.match(errorOf(x.answers[1]!).message, /longer than 64 KiB/);
    assert.ok(x.closedByServer);
    // a line just under the limit is read (and refused for what it says, not for its size)
    const fits = JSON.stringify({ id: 2, cmd: ['get', 'sshd', 'y'.repeat(60 * 1024)] }) + '\n';
    const y = await exchange(r.socket, fits, 1);
    assert.equal(y.answers[0]!['id'], 2);
    assert.equal(errorOf(y.answers[0]!).code, 'LJ671');
    assert.match(errorOf(y.answers[0]!).message, /"y+…" is not a jail setting/);
    assert.ok(!r.controller.calls.some((c) => c.includes('x'.repeat(100))));
  } finally {
    await r.done();
  }
});

test('a client that never ends its line is cut off at 64 KiB, even sent in small pieces', async () => {
  const r = await startServer();
  try {
    const pieces = Array.from({ length: 100 }, () => 'a'.repeat(1024));
    const x = await exchange(r.socket, pieces, 2);
    assert.equal(x.answers.length, 1);
    assert.match(errorOf(x.answers[0]!).message, /longer than 64 KiB/);
    assert.ok(x.closedByServer);
  } finally {
    await r.done();
  }
});

test('a silent client is dropped after the idle time; one waiting for a slow answer is not', async () => {
  const r = await startServer({ idleTimeoutMs: 100 });
  try {
    const reload = deferred();
    const started = deferred();
    r.controller.delay = () => { started.resolve(); return reload.promise; };
    const slow = exchange(r.socket, request(2, 'reload'), 1);
    await started.promise;
    // connected after the slow request went quiet: when this one is dropped, the slow one has
    // been quiet longer than the idle time too
    const silent = await exchange(r.socket, '{"id": 1, "cmd": ["pi', 1);
    assert.deepEqual(silent, { answers: [], closedByServer: true });
    reload.resolve();
    assert.deepEqual((await slow).answers, [{ id: 2, ok: true, result: { jail: null, reloaded: true } }]);
  } finally {
    await r.done();
  }
});

test('many clients at once are all answered', async () => {
  const r = await startServer();
  try {
    const clients = Array.from({ length: 50 }, (_, i) => exchange(r.socket, [request(i, 'status', 'sshd'), request(i + 1000, 'ping')], 2));
    const all = await Promise.all(clients);
    all.forEach((x, i) => {
      assert.deepEqual(x.answers.map((a) => a['id']), [i, i + 1000]);
      assert.ok(x.answers.every((a) => a['ok'] === true));
    });
  } finally {
    await r.done();
  }
});

test('clients beyond the limit are told the daemon is busy; the others are served', async () => {
  const r = await startServer({ maxClients: 3 });
  try {
    const open = await Promise.all([0, 1, 2].map(() => new Promise<net.Socket>((resolve) => {
      const s = net.createConnection(r.socket, () => resolve(s));
    })));
    // the server counts a client once it has accepted it
    for (let i = 0; i < 100 && r.server.clientCount < 3; i++) await new Promise((res) => setImmediate(res));
    assert.equal(r.server.clientCount, 3);
    const refused = await exchange(r.socket, request(1, 'ping'), 1);
    assert.equal(refused.answers[0]!['id'], null);
    assert.equal(errorOf(refused.answers[0]!).code, 'LJ675');
    for (const s of open) s.destroy();
    for (let i = 0; i < 100 && r.server.clientCount > 0; i++) await new Promise((res) => setTimeout(res, 5));
    assert.deepEqual(await ask(r.socket, 'ping'), { id: 1, ok: true, result: { reply: 'pong' } });
  } finally {
    await r.done();
  }
});

test('a client that floods without reading is paused, then gets every answer in order once it reads', async () => {
  const r = await startServer();
  try {
    const n = 20_000;
    const s = net.createConnection(r.socket);
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    s.pause();
    for (let i = 0; i < n; i++) s.write(request(i, 'status', 'sshd'));
    const answered = (): number => r.controller.calls.filter((c) => c === 'status sshd').length;
    // wait until the server stops making progress (it has stopped reading), at most 5 s
    let last = -1;
    for (let i = 0; i < 250 && answered() !== last; i++) {
      last = answered();
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(answered() < n / 2, `the server read on while nobody read its answers: ${answered()} of ${n}`);
    // reading again lets it finish: nothing lost, nothing out of order
    const ids: number[] = [];
    let buf = '';
    await new Promise<void>((resolve) => {
      s.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) !== -1) {
          ids.push((JSON.parse(buf.slice(0, nl)) as { id: number }).id);
          buf = buf.slice(nl + 1);
        }
        if (ids.length === n) resolve();
      });
      s.resume();
    });
    s.destroy();
    assert.ok(ids.every((id, i) => id === i));
  } finally {
    await r.done();
  }
});

test('unban in every jail, in one jail, and --report-absent naming what was not banned', async () => {
  const r = await startServer();
  try {
    assert.deepEqual((await ask(r.socket, 'unban', '192.0.2.7'))['result'], { jail: null, unbanned: 1 });
    assert.deepEqual((await ask(r.socket, 'unban', '--jail', 'postfix', '198.51.100.4'))['result'], { jail: 'postfix', unbanned: 1 });
    const absent = await ask(r.socket, 'set', 'sshd', 'unbanip', '--report-absent', '203.0.113.9', '192.0.2.250');
    assert.equal(errorOf(absent).code, 'LJ676');
    assert.match(errorOf(absent).message, /not banned in sshd: 192\.0\.2\.250; 1 other ban\(s\) lifted/);
    assert.deepEqual(r.controller.bans, []);
    const jailFirst = await ask(r.socket, 'unban', 'sshd', '192.0.2.1');
    assert.equal(errorOf(jailFirst).code, 'LJ671');
    assert.match(errorOf(jailFirst).hint, /unban --jail sshd IP/);
    assert.deepEqual((await ask(r.socket, 'unban', '--all'))['result'], { jail: null, unbanned: 0 });
  } finally {
    await r.done();
  }
});

test('banned filters by jail and by address; an argument that is neither is an unknown jail', async () => {
  const r = await startServer();
  try {
    const ips = (a: Answer): string[] => ((a['result'] as { banned: { ip: string }[] }).banned).map((e) => e.ip);
    assert.deepEqual(ips(await ask(r.socket, 'banned')), ['192.0.2.7', '203.0.113.9', '198.51.100.4']);
    assert.deepEqual(ips(await ask(r.socket, 'banned', 'sshd')), ['192.0.2.7', '203.0.113.9']);
    assert.deepEqual(ips(await ask(r.socket, 'banned', 'sshd', 'postfix')), ['192.0.2.7', '203.0.113.9', '198.51.100.4']);
    assert.deepEqual(ips(await ask(r.socket, 'banned', '198.51.100.4')), ['198.51.100.4']);
    assert.deepEqual(ips(await ask(r.socket, 'banned', 'sshd', '198.51.100.4')), []);
    assert.equal(errorOf(await ask(r.socket, 'banned', 'sshdd')).code, 'LJ660');
    assert.deepEqual((await ask(r.socket, 'get', 'sshd', 'banned', '192.0.2.7', '192.0.2.8'))['result'], { jail: 'sshd', setting: 'banned', value: [1, 0] });
  } finally {
    await r.done();
  }
});

test('reload passes --unban and --if-exists on, and a configuration error comes back with its place', async () => {
  const r = await startServer();
  try {
    assert.deepEqual((await ask(r.socket, 'reload', '--unban', 'sshd'))['result'], { jail: 'sshd', reloaded: true });
    assert.deepEqual(r.controller.calls.filter((c) => /^(unbanAll|reload)/.test(c)), ['unbanAll sshd', 'reload sshd']);
    assert.deepEqual((await ask(r.socket, 'reload', '--if-exists', 'gone'))['result'], { jail: 'gone', reloaded: false });
    assert.ok(!r.controller.calls.includes('reload gone'));
    const broken = await ask(r.socket, 'reload', 'broken');
    assert.equal(errorOf(broken).code, 'LJ111');
    assert.match(errorOf(broken).message, /jail\.local:12: \[broken\] bantime/);
  } finally {
    await r.done();
  }
});

test('stop is answered before close() ends the connection that asked for it', async () => {
  const r = await startServer();
  try {
    r.controller.delay = async () => {
      // the daemon closes the socket while the stop request is in progress
      void r.server.close();
    };
    const x = await exchange(r.socket, request(5, 'stop'), 1);
    assert.deepEqual(x.answers, [{ id: 5, ok: true, result: { stopping: true } }]);
    assert.ok(r.controller.stopped);
    await r.server.close();
    assert.equal(fs.existsSync(r.socket), false);
  } finally {
    await r.done();
  }
});

test('a client that hangs up in the middle of a request does not disturb the server', async () => {
  const r = await startServer();
  try {
    const ban = deferred();
    const started = deferred();
    r.controller.delay = () => { started.resolve(); return ban.promise; };
    const s = net.createConnection(r.socket, () => s.write(request(1, 'ban', 'sshd', '192.0.2.50')));
    await started.promise;
    s.destroy();
    await new Promise<void>((resolve) => s.once('close', () => resolve()));
    r.controller.delay = null;
    ban.resolve();
    assert.deepEqual(await ask(r.socket, 'ping'), { id: 1, ok: true, result: { reply: 'pong' } });
    assert.ok(r.controller.calls.includes('ban sshd 192.0.2.50'));
  } finally {
    await r.done();
  }
});

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((res) => { resolve = res; });
  return { promise, resolve };
}
