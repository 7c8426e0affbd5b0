/**
 * The addresses a jail has banned and until when (fail2ban's banmanager.py in spirit): a ban
 * starts at the time of the last failure, ends at start + ban time, and is lifted once the
 * clock is past its end; -1 means for ever.
 */
import type { Family } from '../filter/ip.js';

export interface BanEntry {
  readonly id: string;
  /** The address the firewall gets (the id, or the address captured beside an F-ID). */
  readonly ip: string;
  readonly family: Family | null;
  /** Start of the ban (epoch seconds). */
  readonly time: number;
  /** Seconds, -1 for ever. */
  banTime: number;
  /** Bans of this address in this jail so far, this one included. */
  readonly count: number;
  readonly failures: number;
  readonly matches: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
  /** Restored from the database at start. */
  readonly restored: boolean;
}

export function banEnd(b: BanEntry): number {
  return b.banTime < 0 ? Infinity : b.time + b.banTime;
}

export class BanManager {
  private readonly bans = new Map<string, BanEntry>();
  /** Bans since start (status "Total banned"). */
  total = 0;

  get size(): number {
    return this.bans.size;
  }

  has(id: string): boolean {
    return this.bans.has(id);
  }

  get(id: string): BanEntry | undefined {
    return this.bans.get(id);
  }

  /** Add a ban; false when the id is banned already. */
  add(b: BanEntry): boolean {
    if (this.bans.has(b.id)) return false;
    this.bans.set(b.id, b);
    this.total++;
    return true;
  }

  remove(id: string): BanEntry | undefined {
    const b = this.bans.get(id);
    if (b !== undefined) this.bans.delete(id);
    return b;
  }

  /** Bans whose end has passed at `now` (taken out). */
  takeExpired(now: number): BanEntry[] {
    const out: BanEntry[] = [];
    for (const [id, b] of this.bans) {
      if (now > banEnd(b)) {
        this.bans.delete(id);
        out.push(b);
      }
    }
    return out;
  }

  /** When the next ban ends (Infinity when none will). */
  nextEnd(): number {
    let t = Infinity;
    for (const b of this.bans.values()) t = Math.min(t, banEnd(b));
    return t;
  }

  /** Current bans, ordered by the end of the ban. */
  list(): BanEntry[] {
    return [...this.bans.values()].sort((a, b) => banEnd(a) - banEnd(b));
  }

  takeAll(): BanEntry[] {
    const all = [...this.bans.values()];
    this.bans.clear();
    return all;
  }
}
