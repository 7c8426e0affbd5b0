/**
 * The jail stage: failures in, bans and unbans out.
 *
 *   Failure ─► (host name? resolve) ─► ignored? ─► count (maxretry within findtime, weighted for
 *   known offenders) ─► Ban {ip, time, banTime, count...} ─► store, then onBan
 *   tick(now) ─► bans past their end ─► onUnban
 *
 * Failures are handled strictly in order even when a check has to wait (a DNS lookup, the
 * ignorecommand): a queue serialises them. Time comes from an injected clock.
 */
import type { Family } from '../filter/ip.js';
import { ipAddr } from '../filter/filter.js';
import type { Failure } from '../filter/types.js';
import type { Store } from '../store/store.js';
import { BanManager, banEnd, type BanEntry } from './banManager.js';
import type { BanTime } from './banTime.js';
import { FailManager } from './failManager.js';
import type { IgnoreList } from './ignore.js';

export interface JailEvents {
  /** A new ban (the store has it already). */
  onBan(jail: Jail, ban: BanEntry): void;
  /** A ban is lifted (ended, or unbanned by hand). */
  onUnban(jail: Jail, ban: BanEntry): void;
  /** Something an admin should read in the log. */
  onLog?(jail: Jail, level: 'info' | 'notice' | 'warning' | 'error', message: string): void;
  /** A failure of an address banned `since` seconds ago: is the ban really in the firewall? */
  onAlreadyBanned?(jail: Jail, ban: BanEntry, since: number): void;
}

export interface JailOptions {
  readonly name: string;
  readonly maxRetry: number;
  readonly findTime: number;
  readonly maxMatches: number;
  readonly banTime: BanTime;
  readonly ignore: IgnoreList;
  /** yes | warn | no | raw: what to do with host names found in logs. */
  readonly useDns: 'yes' | 'warn' | 'no' | 'raw';
  readonly resolve: (name: string) => Promise<string[]>;
  readonly store: Store | null;
  readonly clock: () => number;
  readonly events: JailEvents;
}

/** Captured data kept with a ban (no fail2ban machinery). */
function banData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in data) {
    const v = data[k];
    if (v === undefined || v === null || k === 'matches' || k === 'nofail-matches' || k === 'mlfid' || k === 'content') continue;
    out[k] = v instanceof Set ? [...v] : k === 'users' && typeof v === 'string' ? [v] : v;
  }
  return out;
}

export class Jail {
  readonly name: string;
  readonly failures: FailManager;
  readonly bans = new BanManager();
  private readonly o: JailOptions;
  /** How long bans last (can be changed at run time). */
  banTime: BanTime;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(o: JailOptions) {
    this.o = o;
    this.name = o.name;
    this.banTime = o.banTime;
    this.failures = new FailManager(o.maxRetry, o.findTime, o.maxMatches);
  }

  private log(level: 'info' | 'notice' | 'warning' | 'error', message: string): void {
    this.o.events.onLog?.(this, level, message);
  }

  /** Take failures from the filter (in the order they were found). */
  addFailures(found: readonly Failure[]): void {
    for (const f of found) {
      if (f.kind === 'pending' || f.data['nofail']) continue;
      if (this.pending === 0 && f.kind !== 'dns') {
        const r = this.consider(f, f.id, f.family);
        if (r === null) continue;
        // a check needs to wait: from now on keep order through the queue
        this.enqueue(() => r);
        continue;
      }
      this.enqueue(async () => {
        if (f.kind === 'dns') {
          let ips: string[] = [];
          try {
            ips = await this.o.resolve(f.id);
          } catch {
            ips = [];
          }
          if (ips.length === 0) this.log('warning', `Unable to find a corresponding IP address for ${f.id}`);
          else if (this.o.useDns === 'warn') this.log('warning', `Determined IP using DNS Lookup: ${f.id} = ${ips.join(', ')}`);
          for (const a of ips) {
            const id = ipAddr(a, 'unspec');
            await this.consider(f, id.text, id.family);
          }
        } else {
          await this.consider(f, f.id, f.family);
        }
      });
    }
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.pending++;
    this.queue = this.queue.then(task).catch((e: unknown) => this.log('error', `failure handling: ${(e as Error).message}`))
      .finally(() => { this.pending--; });
  }

  /** Wait until every queued failure is handled. */
  async settled(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }

  /** Handle one failure for one id; null when done at once, else a promise. */
  private consider(f: Failure, id: string, family: Family | null): Promise<void> | null {
    const ignored = this.o.ignore.check(typeof f.data['ip'] === 'string' ? f.data['ip'] : id, family);
    if (ignored === true) {
      this.log('info', `Ignore ${id} by ignore list`);
      return null;
    }
    if (ignored === false) {
      this.count(f, id, family);
      return null;
    }
    return ignored.then((yes) => {
      if (yes) this.log('info', `Ignore ${id}`);
      else this.count(f, id, family);
    });
  }

  private count(f: Failure, id: string, family: Family | null): void {
    const now = this.o.clock();
    // fail2ban clamps failure times to "now" (a date in the future is an estimate)
    const time = f.time === null ? now : Math.min(f.time, now);
    if (this.bans.has(id)) {
      const b = this.bans.get(id)!;
      const since = now - b.time;
      this.log(since < 3 ? 'info' : since < 60 ? 'notice' : 'warning', `${id} already banned`);
      if (since > 3) this.o.events.onAlreadyBanned?.(this, b, since);
      return;
    }
    this.log('info', `Found ${id} - ${localTime(time)}`);
    let weight = 1;
    let previous = 0;
    const bt = this.banTime;
    if (bt.increment && this.o.store !== null) {
      const h = this.o.store.history(id, bt.overallJails ? null : this.name);
      previous = h.count;
      // only failures after the last ban weigh more
      if (h.last === null || time > h.last) weight = bt.weight(previous, this.o.maxRetry);
    }
    const retry = this.failures.add(id, time, f.data.matches, banData(f.data), weight);
    if (retry >= this.o.maxRetry) this.ban(id, family, typeof f.data['ip'] === 'string' ? f.data['ip'] : id);
  }

  /** Turn the failure ticket of `id` into a ban. */
  private ban(id: string, family: Family | null, ip: string): void {
    const t = this.failures.take(id);
    if (t === undefined) return;
    const previous = this.previousBans(id);
    const banTime = this.banTime.forBan(previous);
    const now = this.o.clock();
    const entry: BanEntry = {
      id, ip, family, time: t.lastTime, banTime, count: previous + 1, failures: t.failures,
      matches: t.matches, data: t.data, restored: false,
    };
    if (banTime >= 0 && banEnd(entry) < now) {
      this.log('info', `Ban of ${id} ended already (it was due at ${new Date(banEnd(entry) * 1000).toISOString()})`);
      return;
    }
    this.commit(entry);
  }

  private previousBans(id: string): number {
    if (!this.banTime.increment || this.o.store === null) return 0;
    return this.o.store.history(id, this.banTime.overallJails ? null : this.name).count;
  }

  private commit(entry: BanEntry): void {
    if (!this.bans.add(entry)) return;
    if (!entry.restored && this.o.store !== null) {
      this.o.store.addBan({
        jail: this.name, ip: entry.id, time: entry.time, banTime: entry.banTime, count: entry.count,
        data: { ...entry.data, failures: entry.failures, matches: entry.matches },
      });
    }
    if (entry.banTime !== this.banTime.banTime && !entry.restored) this.log('notice', `Increase Ban ${entry.id} (${entry.count} # ${entry.banTime} s)`);
    this.o.events.onBan(this, entry);
  }

  /** Ban by hand (`logjail ban`, `set JAIL banip`): starts now. false if banned already. */
  banNow(ip: string): boolean {
    const id = ipAddr(ip, 'unspec');
    if (this.bans.has(id.text)) return false;
    const previous = this.previousBans(id.text);
    this.failures.take(id.text);
    this.commit({
      id: id.text, ip: id.text, family: id.family, time: this.o.clock(), banTime: this.banTime.forBan(previous),
      count: previous + 1, failures: 0, matches: [], data: {}, restored: false,
    });
    return true;
  }

  /** Lift a ban by hand; false when the address was not banned. */
  unban(ip: string): boolean {
    const id = ipAddr(ip, 'unspec').text;
    const b = this.bans.remove(id);
    if (b === undefined) return false;
    this.o.store?.markUnbanned(this.name, id, this.o.clock());
    this.o.events.onUnban(this, b);
    return true;
  }

  /** Lift every ban (e.g. `unban --all`); returns how many. */
  unbanAll(): number {
    const all = this.bans.takeAll();
    for (const b of all) {
      this.o.store?.markUnbanned(this.name, b.id, this.o.clock());
      this.o.events.onUnban(this, b);
    }
    return all.length;
  }

  /** Lift the bans whose time is up and forget old failures. Call regularly. */
  tick(): void {
    const now = this.o.clock();
    for (const b of this.bans.takeExpired(now)) this.o.events.onUnban(this, b);
    this.failures.cleanup(now);
  }

  /** When tick() has something to do next (Infinity: nothing planned). */
  nextDue(): number {
    return this.bans.nextEnd();
  }

  /** Put back the bans still in force from the database (at start). */
  restore(): number {
    const store = this.o.store;
    if (store === null) return 0;
    const now = this.o.clock();
    const max = this.banTime.max;
    let n = 0;
    for (const s of store.currentBans(this.name, now)) {
      let banTime = s.banTime;
      // without increment, a ban longer than the jail's bantime is cut to it
      if (max >= 0 && (banTime < 0 || banTime > max)) banTime = max;
      if (banTime >= 0 && s.time + banTime <= now) continue;
      const id = ipAddr(s.ip, 'unspec');
      if (this.o.ignore.check(id.text, id.family) === true) continue;
      const data = s.data;
      const matches = Array.isArray(data['matches']) ? (data['matches'] as unknown[]).map(String) : [];
      const failures = typeof data['failures'] === 'number' ? data['failures'] : 0;
      this.commit({
        id: id.text, ip: id.text, family: id.family, time: s.time, banTime, count: s.count,
        failures, matches, data, restored: true,
      });
      n++;
    }
    return n;
  }
}

/** "2026-11-24 16:07:47" in local time, as fail2ban logs times. */
function localTime(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
