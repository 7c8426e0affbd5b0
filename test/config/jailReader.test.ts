import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/load.js';
import type { JailConfig, LoadedConfig } from '../../src/config/types.js';
import { lines, makeTree, type Tree } from './tree.js';

const FILTER = lines('[Init]', 'mode = normal', '[Definition]', 'rule-normal = ^fail <HOST>$', 'rule-strict = ^fail <HOST>$',
  '              ^warn <HOST>$', 'failregex = <rule-<mode>>', 'journalmatch = _COMM=app');
const ACTION = lines('[Definition]', 'actionban = block <ip> on <port> for <name>', 'actionunban = unblock <ip>', '[Init]', 'port = any');

function tree(jailConf: string, extra: Record<string, string> = {}): Tree {
  return makeTree({ 'jail.conf': jailConf, 'filter.d/app.conf': FILTER, 'action.d/block.conf': ACTION, ...extra });
}

function load(t: Tree): LoadedConfig {
  return loadConfig(t.dir);
}

function jail(cfg: LoadedConfig, name: string): JailConfig {
  const j = cfg.jails.find((x) => x.name === name);
  assert.ok(j, `jail ${name} exists`);
  assert.equal(j.error, undefined, `jail ${name} loads: ${j.error?.message ?? ''}`);
  assert.ok(j.config, `jail ${name} is enabled`);
  return j.config;
}

describe('jail reader', () => {
  it('uses fail2ban\'s defaults for options that are absent', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'logpath = /var/log/app.log'));
    t.after(x.remove);
    const c = jail(load(x), 'app');
    assert.equal(c.maxRetry, 3);
    assert.equal(c.findTime, 600);
    assert.equal(c.banTime, 600);
    assert.equal(c.maxMatches, 5);
    assert.equal(c.useDns, 'warn');
    assert.equal(c.ignoreSelf, true);
    assert.deepEqual(c.ignoreIp, []);
    assert.equal(c.logEncoding, 'auto');
    assert.deepEqual({ ...c.backend, params: { ...c.backend.params } }, { name: 'auto', params: {} });
    assert.equal(c.banTimeIncrement.enabled, false);
    assert.deepEqual(c.actions, []);
  });

  it('reads typed values: durations, lists, log paths, backend parameters and the bantime family', (t) => {
    const x = tree(lines(
      '[DEFAULT]', 'bantime = 1h', 'ignoreip = 127.0.0.1/8 ::1,192.0.2.7', '           10.0.0.0/8',
      '[app]', 'enabled = yes', 'filter = app[mode=strict]', 'backend = polling[interval=5]',
      'logpath = /var/log/app.log', '          /var/log/app-*.log tail', 'maxretry = 7', 'findtime = 1d12h', 'maxmatches = %(maxretry)s',
      'bantime.increment = true', 'bantime.factor = 2', 'bantime.formula = ban.Time * 2', 'bantime.multipliers = 1 5 30',
      'bantime.maxtime = 5w', 'bantime.rndtime = 10m', 'bantime.overalljails = on', 'ignoreself = false',
      'ignorecommand = /bin/true <ip>', 'ignorecache = key="<ip>", max-time=1h', 'usedns = NO', 'logtimezone = UTC+0200',
      'logencoding = latin-1', 'action = block[port=22]',
    ));
    t.after(x.remove);
    const c = jail(load(x), 'app');
    assert.equal(c.maxRetry, 7);
    assert.equal(c.maxMatches, 7);
    assert.equal(c.findTime, 129600);
    assert.equal(c.banTime, 3600);
    assert.deepEqual(c.ignoreIp, ['127.0.0.1/8', '::1', '192.0.2.7', '10.0.0.0/8']);
    assert.deepEqual(c.logpaths.map((p) => [p.pattern, p.tail]), [['/var/log/app.log', false], ['/var/log/app-*.log', true]]);
    assert.deepEqual({ ...c.backend, params: { ...c.backend.params } }, { name: 'polling', params: { interval: '5' } });
    assert.deepEqual({ ...c.banTimeIncrement, multipliers: [...c.banTimeIncrement.multipliers] }, {
      enabled: true, factor: '2', formula: 'ban.Time * 2', multipliers: [1, 5, 30], maxTime: 3024000, rndTime: 600, overallJails: true,
    });
    assert.equal(c.ignoreSelf, false);
    assert.equal(c.ignoreCommand, '/bin/true <ip>');
    assert.deepEqual(c.ignoreCache, { key: '<ip>', maxCount: 100, maxTime: 3600 });
    assert.equal(c.useDns, 'no');
    assert.equal(c.logTimezone, 'UTC+0200');
    assert.equal(c.logEncoding, 'latin-1');
    assert.deepEqual({ ...c.filterSpec, params: { ...c.filterSpec?.params } }, { name: 'app', params: { mode: 'strict' } });
    assert.deepEqual(c.filter?.failregex, ['^fail <HOST>$', '^warn <HOST>$']);
    assert.equal(c.actions[0]?.commands.actionban, 'block <ip> on 22 for app');
  });

  it('ignores logpath for a systemd backend and uses the journal prefix', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'backend = systemd', 'logpath = /nowhere'));
    t.after(x.remove);
    const c = jail(load(x), 'app');
    assert.deepEqual(c.logpaths, []);
    assert.equal(c.filter?.options['logtype'], 'journal');
    assert.deepEqual(c.filter?.journalmatch, [['_COMM=app']]);
  });

  it('extends the filter\'s failregex with %(known/failregex)s in the jail', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'logpath = /l', 'failregex = %(known/failregex)s', '            ^extra <HOST>$'));
    t.after(x.remove);
    const c = jail(load(x), 'app');
    assert.deepEqual(c.filter?.failregex, ['^fail <HOST>$', '^extra <HOST>$']);
    assert.equal(c.filter?.places.failregex[0]?.file, x.path('filter.d/app.conf'), 'the known lines point into the filter');
    assert.equal(c.filter?.places.failregex[1]?.line, 6, 'the added line points into jail.conf');
  });

  it('only builds the configuration of enabled jails', (t) => {
    const x = tree(lines('[DEFAULT]', 'filter = app', 'logpath = /l', '[on]', 'enabled = true', '[off]', 'enabled = false', '[unset]'));
    t.after(x.remove);
    const cfg = load(x);
    assert.deepEqual(cfg.jails.map((j) => [j.name, j.enabled, j.config !== undefined]), [['on', true, true], ['off', false, false], ['unset', false, false]]);
    assert.deepEqual({ ...cfg.jails[1]!.options }, { enabled: 'false', filter: 'app', logpath: '/l' }, 'disabled jails still show their options');
    assert.deepEqual({ ...cfg.jails[1]!.raw }, { enabled: 'false' });
  });

  it('keeps the error of a broken jail in its entry and still loads the others', (t) => {
    const x = tree(lines('[DEFAULT]', 'filter = app', 'logpath = /l', '[bad]', 'enabled = true', 'bantime = 3 fortnights',
      '[worse]', 'enabled = true', 'filter = nothere', '[good]', 'enabled = true'));
    t.after(x.remove);
    const cfg = load(x);
    const bad = cfg.jails.find((j) => j.name === 'bad')!;
    assert.ok(bad.error instanceof LogjailError);
    assert.equal(bad.error!.code, 'LJ111');
    assert.equal(bad.error!.place.line, 6);
    assert.equal(bad.error!.place.key, 'bantime');
    assert.equal(cfg.jails.find((j) => j.name === 'worse')!.error!.code, 'LJ401');
    assert.ok(jail(cfg, 'good'));
  });

  it('rejects a non-integer maxretry and a logpath word that is not head or tail', (t) => {
    const x = tree(lines('[DEFAULT]', 'filter = app', '[a]', 'enabled = true', 'logpath = /l', 'maxretry = five',
      '[b]', 'enabled = true', 'logpath = /var/log/my file.log'));
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(cfg.jails[0]!.error!.code, 'LJ109');
    assert.equal(cfg.jails[1]!.error!.code, 'LJ109');
  });

  it('rejects two actions with the same name in one jail', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'logpath = /l', 'action = block', '         block[port=80]'));
    t.after(x.remove);
    assert.equal(load(x).jails[0]!.error!.code, 'LJ115');
  });

  it('accepts the same action twice under different names', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'logpath = /l', 'action = block[name=app-tcp]', '         block[name=app-udp]'));
    t.after(x.remove);
    assert.deepEqual(jail(load(x), 'app').actions.map((a) => a.actname), ['block-tcp', 'block-udp']);
  });

  it('warns about a long jail name and refuses the reserved name --all', (t) => {
    const long = 'a-very-long-jail-name-for-iptables';
    const x = tree(lines('[DEFAULT]', 'filter = app', 'logpath = /l', `[${long}]`, 'enabled = true', '[--all]', 'enabled = true'));
    t.after(x.remove);
    const cfg = load(x);
    assert.ok(jail(cfg, long));
    assert.ok(cfg.warnings.some((w) => w.code === 'LJ114' && w.detail.includes(long)));
    assert.equal(cfg.jails[1]!.error!.code, 'LJ114');
  });

  it('warns about a misspelt option with the nearest name, but not about variables in use', (t) => {
    const x = tree(lines('[DEFAULT]', 'filter = app', 'logpath = /l', 'port = 22', 'action = block[port=%(port)s]',
      '[app]', 'enabled = true', 'bantme = 1h', 'maxrety = 3', 'myvar = 1', 'protocl = tcp'));
    t.after(x.remove);
    const cfg = load(x);
    const typos = cfg.warnings.filter((w) => w.code === 'LJ110');
    assert.deepEqual(typos.map((w) => [w.place.key, w.place.line]), [['bantme', 8], ['maxrety', 9]]);
    assert.match(typos[0]!.detail, /did you mean "bantime"/);
  });

  it('warns about a jail without filter and a jail without action', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'logpath = /l'));
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(jail(cfg, 'app').filter, null);
    assert.equal(cfg.warnings.filter((w) => w.code === 'LJ109').length, 2);
  });

  it('reads fail2ban.conf with its defaults', (t) => {
    const x = tree(lines('[app]'), { 'fail2ban.conf': lines('[DEFAULT]', 'loglevel = DEBUG', 'dbpurgeage = 2d', '[Definition]', 'dbfile = :memory:') });
    t.after(x.remove);
    const s = load(x).server;
    assert.equal(s.loglevel, 'DEBUG');
    assert.equal(s.dbpurgeage, 172800);
    assert.equal(s.dbfile, ':memory:');
    assert.equal(s.logtarget, 'STDERR');
    assert.equal(s.dbmaxmatches, 10);
    assert.equal(s.socket, '/var/run/fail2ban/fail2ban.sock');
  });

  it('rejects a bad log level in fail2ban.conf', (t) => {
    const x = tree(lines('[app]'), { 'fail2ban.conf': lines('[Definition]', 'loglevel = LOUD') });
    t.after(x.remove);
    assert.throws(() => load(x), (e: unknown) => e instanceof LogjailError && e.code === 'LJ109' && e.place.key === 'loglevel');
  });

  it('fails clearly when there is no jail.conf', (t) => {
    const x = makeTree({ 'filter.d/app.conf': FILTER });
    t.after(x.remove);
    assert.throws(() => load(x), (e: unknown) => e instanceof LogjailError && e.code === 'LJ107');
  });

  it('returns frozen results throughout', (t) => {
    const x = tree(lines('[app]', 'enabled = true', 'filter = app', 'logpath = /l', 'action = block'));
    t.after(x.remove);
    const cfg = load(x);
    const c = jail(cfg, 'app');
    for (const o of [cfg, cfg.jails, cfg.server, c, c.options, c.logpaths, c.actions, c.actions[0], c.banTimeIncrement, c.filter]) {
      assert.ok(Object.isFrozen(o));
    }
  });
});
