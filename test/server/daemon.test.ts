import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../src/server/daemon.js';
import { Store } from '../../src/store/store.js';

function tree(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-daemon-'));
  const cfg = join(dir, 'cfg');
  mkdirSync(join(cfg, 'filter.d'), { recursive: true });
  mkdirSync(join(cfg, 'action.d'), { recursive: true });
  writeFileSync(join(cfg, 'filter.d', 'app.conf'), '[Definition]\nfailregex = ^ app: denied for <HOST>$\n');
  writeFileSync(join(cfg, 'action.d', 'trace.conf'), `[Definition]
actionstart = echo start >> ${dir}/trace
actionstop = echo stop >> ${dir}/trace
actionban = echo ban <ip> >> ${dir}/trace
actionunban = echo unban <ip> >> ${dir}/trace
`);
  writeFileSync(join(cfg, 'jail.conf'), `[app]
enabled = true
filter = app
logpath = ${dir}/app.log
maxretry = 1
bantime = 600
action = trace
`);
  writeFileSync(join(dir, 'app.log'), '');
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('shutdown runs in order: sources stop, bans are flushed, actionstop, store closed, pid file removed', async () => {
  const t = tree();
  try {
    const lines: string[] = [];
    const d = await Daemon.start({
      configDir: join(t.dir, 'cfg'), dbfile: join(t.dir, 'db.sqlite3'), logtarget: join(t.dir, 'daemon.log'),
      loglevel: 'INFO', pidfile: join(t.dir, 'pid'), socket: join(t.dir, 'sock'),
    });
    d.log.tap = (_l, line) => lines.push(line);
    assert.ok(existsSync(join(t.dir, 'pid')));
    const n = new Date();
    const p2 = (x: number): string => String(x).padStart(2, '0');
    const local = `${n.getFullYear()}-${p2(n.getMonth() + 1)}-${p2(n.getDate())} ${p2(n.getHours())}:${p2(n.getMinutes())}:${p2(n.getSeconds())}`;
    appendFileSync(join(t.dir, 'app.log'), `${local} app: denied for 192.0.2.9\n`);
    await d.ban('app', ['192.0.2.10']);
    // let the file source see the line
    for (let i = 0; i < 100 && d.banned('app').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(d.banned('app').length, 2);
    await d.stop();
    const trace = readFileSync(join(t.dir, 'trace'), 'utf8').trim().split('\n');
    assert.deepEqual(trace.slice(0, 1), ['start']);
    assert.equal(trace[trace.length - 1], 'stop', 'actionstop comes last');
    assert.deepEqual(trace.filter((l) => l.startsWith('unban')).sort(), ['unban 192.0.2.10', 'unban 192.0.2.9'], 'bans flushed before actionstop');
    assert.ok(lines.indexOf('[app] Jail stopped') < lines.indexOf('Shutdown successful'));
    assert.equal(existsSync(join(t.dir, 'pid')), false);
    // the store was closed cleanly and keeps the bans for the next start
    const s = new Store(join(t.dir, 'db.sqlite3'));
    assert.equal(s.currentBans('app', Date.now() / 1000).length, 2);
    assert.ok(s.position('app', join(t.dir, 'app.log')) !== null, 'the log position was saved');
    s.close();
  } finally {
    t.done();
  }
});
