/**
 * A small FIFO cache with a size limit and a time to live, as fail2ban uses for multi-line
 * session data (100 entries, 5 minutes). When full, the oldest entries are dropped until an
 * unexpired one is reached and there is room.
 */
export class TtlCache<K, V> {
  private readonly map = new Map<K, { v: V; until: number }>();

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
      // oldest first (a Map keeps insertion order), stopping at an unexpired one once there is room
      while (this.map.size > 0) {
        const oldest = this.map.keys().next().value as K;
        const e = this.map.get(oldest)!;
        this.map.delete(oldest);
        if (e.until > t && this.map.size < this.maxCount) break;
      }
    }
    this.map.set(k, { v, until: t + this.maxTime });
  }

  delete(k: K): void {
    this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }
}
