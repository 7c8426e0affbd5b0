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

/** The plain reading of the rules, with a Map's insertion order: what TtlCache must do. */
class MapCache<K, V> {
  readonly map = new Map<K, { v: V; until: number }>();
  constructor(private readonly maxCount: number, private readonly maxTime: number, private readonly clock: () => number) {}
  get(k: K): V | undefined {
    const e = this.map.get(k);
    if (e === undefined) return undefined;
    if (e.until > this.clock()) return e.v;
    this.map.delete(k);
    return undefined;
  }
  set(k: K, v: V): void {
    const t = this.clock();
    if (this.map.size >= this.maxCount) {
      while (this.map.size > 0) {
        const oldest = this.map.keys().next().value as K;
        const e = this.map.get(oldest)!;
        this.map.delete(oldest);
        if (e.until > t && this.map.size < this.maxCount) break;
      }
    }
    this.map.set(k, { v, until: t + this.maxTime });
  }
}

test('the cache keeps insertion order through deletes, re-insertions, updates and expiry (against a Map)', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 20; round++) {
    let now = 0;
    const max = 1 + rnd(12);
    const a = new TtlCache<number, number>(max, 50, () => now);
    const b = new MapCache<number, number>(max, 50, () => now);
    for (let i = 0; i < 3000; i++) {
      const k = rnd(3 * max);
      switch (rnd(5)) {
        case 0: a.set(k, i); b.set(k, i); break;
        case 1: {
          // add() is for a key get() has just not found (as the filter uses it)
          const was = a.get(k);
          assert.equal(was, b.get(k), `round ${round} op ${i}`);
          if (was === undefined) a.add(k, i); else a.set(k, i);
          b.set(k, i);
          break;
        }
        case 2: assert.equal(a.get(k), b.get(k), `round ${round} op ${i}`); break;
        case 3: a.delete(k); b.map.delete(k); break;
        default: now += rnd(20);
      }
      assert.equal(a.size, b.map.size, `round ${round} op ${i}`);
    }
    for (let k = 0; k < 3 * max; k++) assert.equal(a.get(k), b.get(k));
  }
});
