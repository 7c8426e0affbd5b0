import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandHostTags, groupNameOf } from '../../src/filter/hostTags.js';

test('<HOST> expands to ip4, ip6 and dns groups, or without dns when usedns is no', () => {
  const h = expandHostTags('from <HOST>$');
  assert.match(h, /\(\?P<ip4>/);
  assert.match(h, /\(\?P<ip6>/);
  assert.match(h, /\(\?P<dns>/);
  assert.doesNotMatch(expandHostTags('<HOST>', { noDns: true }), /\(\?P<dns>/);
});

test('custom F- tags become lower-case named groups, ID and PORT renamed', () => {
  assert.equal(expandHostTags('<F-USER>\\S+</F-USER>'), '(?P<user>\\S+)');
  assert.equal(expandHostTags('<F-ID>x</F-ID>'), '(?P<fid>x)');
  assert.equal(groupNameOf('PORT'), 'fport');
  assert.equal(expandHostTags('<F-ID/>'), '(?P<fid>\\S+)');
});

test('a closing tag without its opening tag and unknown tags stay literal', () => {
  assert.equal(expandHostTags('a</F-USER>b'), 'a</F-USER>b');
  assert.equal(expandHostTags('<ip> <foo>'), '<ip> <foo>');
  assert.equal(expandHostTags('<F-lower>'), '<F-lower>', 'F- names are upper-case only');
});

test('each <SKIPLINES> gets its own numbered group', () => {
  const s = expandHostTags('a<SKIPLINES>b<SKIPLINES>c');
  assert.match(s, /skiplines0/);
  assert.match(s, /skiplines1/);
});
