import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostId, formatIPv6, parseIPv4 } from '../../src/filter/ip.js';
import { ipAddr } from '../../src/filter/filter.js';

test('IPv4 addresses parse strictly like inet_pton', () => {
  assert.deepEqual(parseIPv4('192.0.2.1'), [192, 0, 2, 1]);
  assert.equal(parseIPv4('192.030.0.6'), null, 'leading zeros are rejected');
  assert.equal(parseIPv4('256.1.1.1'), null);
  assert.equal(parseIPv4('1.2.3'), null);
});

test('an address the IPv4 regex accepts but inet_pton rejects stays a raw id', () => {
  const id = hostId('192.030.0.6', 'inet4');
  assert.equal(id.family, null);
  assert.equal(id.text, '192.030.0.6');
});

test('IPv6 addresses are printed canonically like inet_ntop', () => {
  assert.equal(hostId('2001:DB8:0:0:0:0:0:1', 'inet6').text, '2001:db8::1');
  assert.equal(hostId('2001:db8:0:1:0:0:0:1', 'inet6').text, '2001:db8:0:1::1');
  assert.equal(hostId('2001:db8:0:1:1:1:1:1', 'inet6').text, '2001:db8:0:1:1:1:1:1', 'a single zero word is not compressed');
  assert.equal(hostId('::1', 'inet6').text, '::1');
  assert.equal(hostId('fe80::', 'inet6').text, 'fe80::');
  assert.equal(formatIPv6([0, 0, 0, 0, 0, 0, 0x102, 0x304]), '::1.2.3.4');
});

test('IPv4-mapped IPv6 addresses become IPv4', () => {
  const id = hostId('::ffff:192.0.2.7', 'inet6');
  assert.equal(id.text, '192.0.2.7');
  assert.equal(id.family, 'inet4');
  assert.equal(ipAddr('[::ffff:c000:207]', 'unspec').text, '192.0.2.7');
});

test('a cidr turns an address into its network', () => {
  assert.equal(hostId('192.0.2.77', undefined, 24).text, '192.0.2.0/24');
  assert.equal(hostId('2001:db8:1:2::5', undefined, 64).text, '2001:db8:1:2::/64');
  assert.equal(ipAddr('10.1.2.3/255.255.0.0', 'unspec').text, '10.1.0.0/16');
  assert.equal(ipAddr('10.1.2.3/8', 'unspec').text, '10.0.0.0/8');
});

test('raw mode keeps text as it is', () => {
  assert.deepEqual(ipAddr('example.com', 'raw'), { text: 'example.com', family: null, prefix: 0 });
  assert.equal(ipAddr('192.0.2.1', 'raw').family, null);
});
