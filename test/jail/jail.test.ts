import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jail, type JailEvents } from '../../src/jail/jail.js';
import { BanTime } from '../../src/jail/banTime.js';
import { IgnoreList } from '../../src/jail/ignore.js';
import type { BanEntry } from '../../src/jail/banManager.js';
import { Store } from '../../src/store/store.js';
import type { Failure } from '../../src/filter/types.js';

interface Setup {
  jail: Jail;
  clock: { now: number };
  bans: string[];
  unbans: string[];
  store: Store;
}

function setup(over: { maxRetry?: number; findTime?: number; banTime?: number; increment?: boolean; ignoreIp?: string[]; store?: Store } = {}): Setup {
  const clock = { now: 10_000 };
  const bans: string[] = [];
  const unbans: string[] = [];
  const store = over.store ?? new Store(':memory:');
  const events: JailEvents = {
    onBan: (_j, b: BanEntry) => bans.push(`${b.id} ${b.time} ${b.banTime} ${b.count}`),
    onUnban: (_j, b: BanEntry) => unbans.push(b.id),
  };
  const jail = new Jail({
    name: 'sshd', maxRetry: over.maxRetry ?? 3, findTime: over.findTime ?? 600, maxMatches: 5,
    banTime: new BanTime(over.banTime ?? 600, { enabled: over.increment ?? false, multipliers: [], overallJails: false }),
    ignore: new IgnoreList({ ignoreIp: over.ignoreIp ?? [], ignoreSelf: false, clock: () => clock.now }),
    useDns: 'warn', resolve: async (n) => (n === 'bad.example' ? ['203.0.113.50'] : []),
    store, clock: () => clock.now, events,
  });
  return { jail, clock, bans, unbans, store };
}

function fail(id: string, time: number | null, extra: Partial<Failure> = {}): Failure {
  return { regexIndex: 0, id, family: 'inet4', kind: 'addr', time, lineNo: 1, data: { matches: [`line for ${id} at ${time}`] }, ...extra };
}

test('jail bans after maxretry failures within findtime, at the time of the last failure', () => {
  const s = setup();
  s.jail.addFailures([fail('192.0.2.1', 9600), fail('192.0.2.1', 9700)]);
  assert.deepEqual(s.bans, []);
  s.jail.addFailures([fail('192.0.2.1', 9800)]);
  assert.deepEqual(s.bans, ['192.0.2.1 9800 600 1']);
  assert.equal(s.jail.failures.size, 0);
  assert.equal(s.store.currentBans('sshd', 9900).length, 1, 'the ban is in the store');
});

test('failures spread wider than findtime do not ban', () => {
  const s = setup();
  s.jail.addFailures([fail('192.0.2.1', 8000), fail('192.0.2.1', 8700), fail('192.0.2.1', 9400)]);
  assert.deepEqual(s.bans, []);
});

test('a ban is lifted once its time is up, by the clock', () => {
  const s = setup();
  s.jail.addFailures([fail('192.0.2.1', 10_000), fail('192.0.2.1', 10_000), fail('192.0.2.1', 10_000)]);
  assert.equal(s.jail.nextDue(), 10_600);
  s.clock.now = 10_600;
  s.jail.tick();
  assert.deepEqual(s.unbans, []);
  s.clock.now = 10_601;
  s.jail.tick();
  assert.deepEqual(s.unbans, ['192.0.2.1']);
  assert.equal(s.jail.bans.size, 0);
});

test('a ban that would already have ended (old log lines) is not made', () => {
  const s = setup({ banTime: 60 });
  s.jail.addFailures([fail('192.0.2.1', 9000), fail('192.0.2.1', 9001), fail('192.0.2.1', 9002)]);
  assert.deepEqual(s.bans, []);
});

test('ignored addresses never count', () => {
  const s = setup({ ignoreIp: ['192.0.2.0/24'] });
  s.jail.addFailures([fail('192.0.2.1', 9900), fail('192.0.2.1', 9900), fail('192.0.2.1', 9900)]);
  assert.deepEqual(s.bans, []);
});

test('a host name in a log is resolved and its address banned', async () => {
  const s = setup({ maxRetry: 1 });
  s.jail.addFailures([fail('bad.example', 9900, { kind: 'dns', family: null })]);
  await s.jail.settled();
  assert.deepEqual(s.bans, ['203.0.113.50 9900 600 1']);
});

test('manual ban and unban; unban of an address not banned says so', () => {
  const s = setup();
  assert.equal(s.jail.banNow('198.51.100.4'), true);
  assert.equal(s.jail.banNow('198.51.100.4'), false);
  assert.deepEqual(s.bans, ['198.51.100.4 10000 600 1']);
  assert.equal(s.jail.unban('198.51.100.4'), true);
  assert.equal(s.jail.unban('198.51.100.4'), false);
  assert.deepEqual(s.unbans, ['198.51.100.4']);
  assert.equal(s.store.currentBans('sshd', 10_001).length, 0, 'an unbanned address is not restored');
});

test('bans in force come back after a restart; expired and unbanned ones do not', () => {
  const store = new Store(':memory:');
  const a = setup({ store });
  a.jail.banNow('192.0.2.1');
  a.jail.banNow('192.0.2.2');
  a.jail.unban('192.0.2.2');
  a.clock.now += 100;
  const b = setup({ store });
  b.clock.now = 10_100;
  assert.equal(b.jail.restore(), 1);
  assert.deepEqual(b.bans, ['192.0.2.1 10000 600 1']);
  const c = setup({ store });
  c.clock.now = 10_700;
  assert.equal(c.jail.restore(), 0);
});

test('with bantime.increment a known offender is banned longer and after fewer failures', () => {
  const s = setup({ increment: true, maxRetry: 5 });
  for (let i = 0; i < 5; i++) s.jail.addFailures([fail('192.0.2.9', 9900 + i)]);
  assert.deepEqual(s.bans, ['192.0.2.9 9904 600 1']);
  s.clock.now = 20_000;
  s.jail.tick();
  // banned once before: each failure now counts twice
  s.jail.addFailures([fail('192.0.2.9', 19_990), fail('192.0.2.9', 19_991)]);
  assert.equal(s.bans.length, 1);
  s.jail.addFailures([fail('192.0.2.9', 19_992)]);
  assert.deepEqual(s.bans[1], '192.0.2.9 19992 1200 2');
});

test('failures of an address already banned do not ban it again', () => {
  const s = setup({ maxRetry: 1 });
  s.jail.addFailures([fail('192.0.2.1', 9990)]);
  s.jail.addFailures([fail('192.0.2.1', 9991)]);
  assert.equal(s.bans.length, 1);
});

test('a session\'s users are kept with the ban as a list, one user or several', () => {
  const s = setup();
  const data = (users: string | Set<string>): Partial<Failure> => ({ data: { matches: ['x'], user: 'root', users } });
  s.jail.addFailures([fail('192.0.2.1', 9800, data('root')), fail('192.0.2.1', 9801, data('root')), fail('192.0.2.1', 9802, data('root'))]);
  s.jail.addFailures([fail('192.0.2.2', 9800, data(new Set(['root', 'admin']))), fail('192.0.2.2', 9801, data(new Set(['root', 'admin']))),
    fail('192.0.2.2', 9802, data(new Set(['root', 'admin'])))]);
  const bans = s.store.currentBans('sshd', 9900);
  assert.deepEqual(bans.find((b) => b.ip === '192.0.2.1')!.data['users'], ['root']);
  assert.deepEqual(bans.find((b) => b.ip === '192.0.2.2')!.data['users'], ['root', 'admin']);
});
