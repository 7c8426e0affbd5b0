import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../src/filter/ttlCache.js';

test('cache entries expire after their time to live', () => {
  let now = 1000;
  const c = new TtlCache<string, number>(10, 300, () => now);
  c.set('a', 1);
  now += 299;
  assert.equal(c.get('a'), 1);
  now += 2;
  assert.equal(c.get('a'), undefined);
  assert.equal(c.size, 0);
});

test('a full cache drops its oldest entries first', () => {
  const now = 0;
  const c = new TtlCache<string, number>(3, 300, () => now);
  c.set('a', 1); c.set('b', 2); c.set('c', 3);
  c.set('d', 4);
  assert.equal(c.get('a'), undefined);
  assert.equal(c.get('b'), 2);
  assert.equal(c.get('d'), 4);
});
