/**
 * A small FIFO cache with a size limit and a time to live, as fail2ban uses for multi-line
 * session data (100 entries, 5 minutes). When full, the oldest entries are dropped until an
 * unexpired one is reached and there is room.
 *
 * Insertion order is kept in an array of the entries themselves (a slot per insertion; an
 * entry that left the cache is marked gone and skipped), not read off a Map iterator: the
 * cache sits on the per-line path of multi-line filters, where an iterator per insertion is
 * garbage, and every Map lookup (a string key's hash and comparison) counts.
 */
interface Entry<K, V> {
  readonly k: K;
  v: V;
  until: number;
  /** Left the cache (deleted, expired or dropped): its slot in `order` is skipped. */
  gone: boolean;
}

export class TtlCache<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  private order: Entry<K, V>[] = [];
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
    e.gone = true;
    return undefined;
  }

  set(k: K, v: V): void {
    const t = this.clock();
    this.makeRoom(t);
    const e = this.map.get(k);
    if (e !== undefined) {
      // a key set again keeps its place (as in a Map)
      e.v = v;
      e.until = t + this.maxTime;
      return;
    }
    this.insert(k, v, t);
  }

  /**
   * set() for a key known not to be in the cache (get(k) has just returned undefined and
   * nothing was set since): one Map lookup fewer.
   */
  add(k: K, v: V): void {
    const t = this.clock();
    this.makeRoom(t);
    this.insert(k, v, t);
  }

  delete(k: K): void {
    const e = this.map.get(k);
    if (e === undefined) return;
    this.map.delete(k);
    e.gone = true;
  }

  clear(): void {
    for (const e of this.map.values()) e.gone = true;
    this.map.clear();
    this.order = [];
    this.head = 0;
  }

  private insert(k: K, v: V, t: number): void {
    const e: Entry<K, V> = { k, v, until: t + this.maxTime, gone: false };
    this.map.set(k, e);
    this.order.push(e);
    if (this.head > 64 && this.head * 2 > this.order.length) {
      // drop the slots before head
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** When full: drop the oldest entries, stopping at an unexpired one once there is room. */
  private makeRoom(t: number): void {
    if (this.map.size < this.maxCount) return;
    const order = this.order;
    while (this.map.size > 0) {
      let e = order[this.head]!;
      while (e.gone) e = order[++this.head]!;
      this.head++;
      this.map.delete(e.k);
      e.gone = true;
      if (e.until > t && this.map.size < this.maxCount) break;
    }
  }
}
