/**
 * A small FIFO cache with a size limit and a time to live, as fail2ban uses for multi-line
 * session data (100 entries, 5 minutes). When full, the oldest entries are dropped until an
 * unexpired one is reached and there is room.
 *
 * Insertion order is kept in an array of keys (a slot per insertion; a slot whose key was
 * deleted or inserted again later is skipped), not read off a Map iterator: the cache sits on
 * the per-line path of multi-line filters, where an iterator per insertion is garbage.
 */
interface Entry<V> {
  v: V;
  until: number;
  /** Index of this insertion in `order`. */
  slot: number;
}

export class TtlCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private order: K[] = [];
  /** First slot of `order` that may still be live. */
  private head = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxTime: number,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.map.size;
  }

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
      // oldest first, stopping at an unexpired one once there is room
      while (this.map.size > 0) {
        const oldest = this.oldest();
        const e = this.map.get(oldest)!;
        this.map.delete(oldest);
        if (e.until > t && this.map.size < this.maxCount) break;
      }
    }
    const e = this.map.get(k);
    if (e !== undefined) {
      // a key set again keeps its place (as in a Map)
      e.v = v;
      e.until = t + this.maxTime;
      return;
    }
    this.map.set(k, { v, until: t + this.maxTime, slot: this.order.push(k) - 1 });
    if (this.head > 64 && this.head * 2 > this.order.length) this.compact();
  }

  delete(k: K): void {
    this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.order = [];
    this.head = 0;
  }

  /** The key inserted longest ago that is still in the cache (the cache is not empty). */
  private oldest(): K {
    const order = this.order;
    for (;;) {
      const k = order[this.head]!;
      if (this.map.get(k)?.slot === this.head) return k;
      this.head++;
    }
  }

  /** Drop the slots before head. */
  private compact(): void {
    const h = this.head;
    this.order = this.order.slice(h);
    for (const e of this.map.values()) e.slot -= h;
    this.head = 0;
  }
}
