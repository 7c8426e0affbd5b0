/**
 * Counting failures per failure id, as fail2ban does (failmanager.py, ticket.py): not an exact
 * sliding window — when a failure arrives and the first counted one is older than findtime,
 * the count is rescaled to the rate seen so far (retry = round(retry / elapsed * findtime)) and
 * the window start moves up. Tickets whose LAST failure is older than findtime are dropped.
 */

/** Python's round(): halves go to the even neighbour. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface FailEntry {
  readonly id: string;
  /** Start of the counting window. */
  firstTime: number;
  /** Time of the last failure. */
  lastTime: number;
  /** Failures counted (rescaled), compared with maxretry. */
  retry: number;
  /** Failures seen, as reported to actions (<failures>). */
  failures: number;
  /** The last matched lines (at most maxmatches). */
  matches: string[];
  /** Captured data of the last failure (user, family, ...). */
  data: Record<string, unknown>;
}

export class FailManager {
  private readonly tickets = new Map<string, FailEntry>();
  /** Failures counted since start (status "Total failed"). */
  total = 0;

  constructor(public maxRetry: number, public findTime: number, public maxMatches: number) {}

  get size(): number {
    return this.tickets.size;
  }

  /**
   * Count a failure; returns the retry count after it. `count` weighs it (bantime.increment
   * lowers the number of failures a known offender needs).
   */
  add(id: string, time: number, matches: readonly string[], data: Record<string, unknown>, count = 1): number {
    this.total++;
    const t = this.tickets.get(id);
    if (t === undefined) {
      const e: FailEntry = {
        id, firstTime: time, lastTime: time, retry: count, failures: 1,
        matches: this.maxMatches > 0 ? matches.slice(-this.maxMatches) : [], data,
      };
      this.tickets.set(id, e);
      return e.retry;
    }
    if (time > t.lastTime) {
      if (t.firstTime < time - this.findTime) {
        t.retry = pyRound(t.retry / (time - t.firstTime) * this.findTime);
        t.firstTime = time - this.findTime;
      }
      t.lastTime = time;
    }
    t.retry += count;
    t.failures += 1;
    if (this.maxMatches > 0) {
      const m = t.matches.concat(matches);
      t.matches = m.length > this.maxMatches ? m.slice(-this.maxMatches) : m;
    }
    t.data = { ...t.data, ...data };
    return t.retry;
  }

  get(id: string): FailEntry | undefined {
    return this.tickets.get(id);
  }

  /** Take a ticket out (it becomes a ban). */
  take(id: string): FailEntry | undefined {
    const t = this.tickets.get(id);
    if (t !== undefined) this.tickets.delete(id);
    return t;
  }

  /** Drop tickets whose last failure is at or before now - findtime. */
  cleanup(now: number): void {
    const limit = now - this.findTime;
    for (const [id, t] of this.tickets) if (t.lastTime <= limit) this.tickets.delete(id);
  }

  clear(): void {
    this.tickets.clear();
  }
}
