import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { Store } from '../../src/store/store.js';

function tmp(): { dir: string; path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-store-'));
  return { dir, path: join(dir, 'sub', 'logjail.sqlite3'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a ban in force is restored after a restart, an expired one is not', () => {
  const t = tmp();
  try {
    let s = new Store(t.path);
    s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 1000, banTime: 600, count: 1, data: { failures: 5, user: 'root' } });
    s.addBan({ jail: 'sshd', ip: '192.0.2.2', time: 100, banTime: 600, count: 1, data: {} });
    s.addBan({ jail: 'sshd', ip: '192.0.2.3', time: 100, banTime: -1, count: 1, data: {} });
    s.addBan({ jail: 'web', ip: '192.0.2.4', time: 1000, banTime: 600, count: 1, data: {} });
    s.close();
    s = new Store(t.path);
    const cur = s.currentBans('sshd', 1200);
    assert.deepEqual(cur.map((b) => b.ip).sort(), ['192.0.2.1', '192.0.2.3']);
    assert.deepEqual(cur.find((b) => b.ip === '192.0.2.1')!.data, { failures: 5, user: 'root' });
    s.close();
  } finally {
    t.done();
  }
});

test('a manual unban is not restored; a later ban of the same address is', () => {
  const s = new Store(':memory:');
  s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 1000, banTime: 600, count: 1, data: {} });
  s.markUnbanned('sshd', '192.0.2.1', 1100);
  assert.equal(s.currentBans('sshd', 1200).length, 0);
  s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 1300, banTime: 600, count: 2, data: {} });
  assert.equal(s.currentBans('sshd', 1400).length, 1);
  s.close();
});

test('ban history counts bans per jail and across jails', () => {
  const s = new Store(':memory:');
  s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 1000, banTime: 600, count: 1, data: {} });
  s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 2000, banTime: 1200, count: 2, data: {} });
  s.addBan({ jail: 'web', ip: '192.0.2.1', time: 3000, banTime: 600, count: 1, data: {} });
  assert.deepEqual(s.history('192.0.2.1', 'sshd'), { count: 2, last: 2000, banTimeSum: 1800 });
  assert.deepEqual(s.history('192.0.2.1', null), { count: 3, last: 3000, banTimeSum: 2400 });
  assert.deepEqual(s.history('192.0.2.9', null), { count: 0, last: null, banTimeSum: 0 });
  s.close();
});

test('purging removes old history but keeps bans still in force and permanent ones', () => {
  const s = new Store(':memory:');
  s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 0, banTime: 100, count: 1, data: {} });
  s.addBan({ jail: 'sshd', ip: '192.0.2.2', time: 0, banTime: -1, count: 1, data: {} });
  s.addBan({ jail: 'sshd', ip: '192.0.2.3', time: 90000, banTime: 100, count: 1, data: {} });
  s.purge(100000, 86400);
  assert.equal(s.history('192.0.2.1', null).count, 0);
  assert.equal(s.history('192.0.2.3', null).count, 1);
  assert.deepEqual(s.currentBans('sshd', 100000).map((b) => b.ip), ['192.0.2.2']);
  s.close();
});

test('log positions are kept per jail and source', () => {
  const s = new Store(':memory:');
  assert.equal(s.position('sshd', '/var/log/auth.log'), null);
  s.setPositions([{ jail: 'sshd', source: '/var/log/auth.log', hash: 'abc', pos: '1234' }]);
  s.setPosition({ jail: 'sshd', source: '/var/log/auth.log', hash: 'abc', pos: '2000' });
  assert.deepEqual(s.position('sshd', '/var/log/auth.log'), { jail: 'sshd', source: '/var/log/auth.log', hash: 'abc', pos: '2000' });
  s.close();
});

test('a ban written before the process is killed with SIGKILL is still there', () => {
  const t = tmp();
  try {
    const code = `
      import('${new URL('../../src/store/store.js', import.meta.url).href}').then(({ Store }) => {
        const s = new Store(${JSON.stringify(t.path)});
        s.addBan({ jail: 'sshd', ip: '192.0.2.7', time: 1000, banTime: 600, count: 1, data: {} });
        process.kill(process.pid, 'SIGKILL');
      });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code]);
    assert.equal(r.signal, 'SIGKILL');
    const s = new Store(t.path);
    assert.deepEqual(s.currentBans('sshd', 1100).map((b) => b.ip), ['192.0.2.7']);
    s.close();
  } finally {
    t.done();
  }
});

test('an unusable database path is a clear error', () => {
  assert.throws(() => new Store('/etc/hostname/sub/logjail.sqlite3'), /LJ650/);
});

test('fail2ban\'s own database is left alone: logjail keeps its own beside it', () => {
  const t = tmp();
  try {
    const f2b = join(t.dir, 'fail2ban.sqlite3');
    const raw = new Database(f2b);
    raw.exec('CREATE TABLE fail2banDb(version INTEGER); CREATE TABLE bans(jail TEXT, ip TEXT, timeofban INTEGER, bantime INTEGER, bancount INTEGER, data JSON);');
    raw.close();
    const s = new Store(f2b);
    assert.equal(s.path, join(t.dir, 'logjail.sqlite3'));
    assert.equal(s.movedFrom, f2b);
    s.addBan({ jail: 'sshd', ip: '192.0.2.1', time: 1000, banTime: 600, count: 1, data: {} });
    assert.equal(s.currentBans('sshd', 1100).length, 1);
    s.close();
  } finally {
    t.done();
  }
});
