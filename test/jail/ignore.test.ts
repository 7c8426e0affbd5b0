import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreList } from '../../src/jail/ignore.js';

const clock = (): number => 1000;

test('addresses and networks in ignoreip are ignored at once', () => {
  const l = new IgnoreList({ ignoreIp: ['127.0.0.1/8', '192.0.2.5', '2001:db8::/32', '10.0.0.0/255.0.0.0'], ignoreSelf: false, clock });
  assert.equal(l.check('127.3.4.5', 'inet4'), true);
  assert.equal(l.check('192.0.2.5', 'inet4'), true);
  assert.equal(l.check('192.0.2.6', 'inet4'), false);
  assert.equal(l.check('2001:db8:1::9', 'inet6'), true);
  assert.equal(l.check('2001:db9::9', 'inet6'), false);
  assert.equal(l.check('10.200.0.1', 'inet4'), true);
});

test('host names in ignoreip are resolved (and cached)', async () => {
  let lookups = 0;
  const l = new IgnoreList({
    ignoreIp: ['office.example'], ignoreSelf: false, clock,
    resolve: async (n) => { lookups++; return n === 'office.example' ? ['198.51.100.7'] : []; },
  });
  assert.equal(await l.check('198.51.100.7', 'inet4'), true);
  assert.equal(await l.check('198.51.100.8', 'inet4'), false);
  assert.equal(lookups, 1);
});

test('ignoreself ignores the host\'s own addresses; ignorecommand decides the rest', async () => {
  const l = new IgnoreList({
    ignoreIp: [], ignoreSelf: true, clock, selfAddresses: async () => ['192.0.2.1'],
    command: async (ip) => ip === '203.0.113.9',
  });
  assert.equal(await l.check('192.0.2.1', 'inet4'), true);
  assert.equal(await l.check('203.0.113.9', 'inet4'), true);
  assert.equal(await l.check('203.0.113.10', 'inet4'), false);
});

test('entries can be added and removed at run time', () => {
  const l = new IgnoreList({ ignoreIp: [], ignoreSelf: false, clock });
  l.add('192.0.2.0/24');
  assert.equal(l.check('192.0.2.9', 'inet4'), true);
  l.remove('192.0.2.0/24');
  assert.equal(l.check('192.0.2.9', 'inet4'), false);
});
