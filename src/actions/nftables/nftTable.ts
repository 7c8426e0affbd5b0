/**
 * One nftables table driven by logjail: all jails using the table share one driver, which
 * applies their changes in the order they were asked for, one nft process at a time, with no
 * shell (`nft -f -`, the script on stdin). Element changes that wait while nft runs are applied
 * together by the next call: a burst of bans (of any jail) becomes one transaction.
 *
 * When a transaction fails, the driver checks that the table still has every started jail's
 * chain, sets and rules (someone may have flushed the ruleset), re-creates what is missing with
 * the addresses it knows are banned, and tries again once. If it still fails, the batch is split
 * in halves until the elements nft refuses are found; only those fail.
 */
import { LogjailError } from '../../errors.js';
import { REAL_TIMERS, runProcess, type ProcessResult, type Timers } from '../process.js';
import type { ActionLog } from '../types.js';
import { elementScript, flushScript, startScript, stopScript, type ElementChange, type NftJailSpec } from './nftSpec.js';

/** How nft is run: where (a prefix such as ['ip', 'netns', 'exec', NS]) and for how long at most. */
export interface NftExecOptions {
  readonly prefix?: readonly string[];
  readonly timeoutSeconds?: number;
  readonly timers?: Timers;
}

/** Largest number of element changes in one transaction. */
const MAX_BATCH = 5000;

interface ElementJob {
  readonly kind: 'element';
  readonly jail: NftJailSpec;
  readonly change: ElementChange;
  resolve(): void;
  reject(e: unknown): void;
}

interface ScriptJob {
  readonly kind: 'script';
  run(): Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

type Job = ElementJob | ScriptJob;

/** The changes to one element within a batch: the last one wins, every caller hears the result. */
interface Coalesced {
  readonly jail: NftJailSpec;
  change: ElementChange;
  readonly jobs: ElementJob[];
}

export class NftTable {
  readonly name: string;
  private readonly nft: string;
  private readonly prefix: readonly string[];
  private readonly timeoutMs: number;
  private readonly timers: Timers;
  private readonly log: ActionLog;
  private readonly clock: () => number;
  private readonly jobs: Job[] = [];
  private pumping = false;
  private scheduled = false;
  /** Started jails by chain name, with the elements they hold (key set\0text). */
  private readonly jails = new Map<string, { spec: NftJailSpec; elements: Map<string, ElementChange> }>();
  /** nft calls made (for tests and statistics). */
  calls = 0;

  constructor(name: string, nft: string, opts: NftExecOptions, log: ActionLog, clock: () => number) {
    this.name = name;
    this.nft = nft;
    this.prefix = opts.prefix ?? [];
    this.timeoutMs = (opts.timeoutSeconds ?? 60) * 1000;
    this.timers = opts.timers ?? REAL_TIMERS;
    this.log = log;
    this.clock = clock;
  }

  startJail(spec: NftJailSpec): Promise<void> {
    return this.script(async () => {
      // known from now on, even if nft fails: a later check re-creates it
      if (!this.jails.has(spec.chain)) this.jails.set(spec.chain, { spec, elements: new Map() });
      await this.apply(startScript(spec), `starting ${spec.chain}`);
    });
  }

  stopJail(spec: NftJailSpec): Promise<void> {
    return this.script(async () => {
      this.jails.delete(spec.chain);
      await this.apply(stopScript(spec), `stopping ${spec.chain}`);
      await this.dropTableIfEmpty();
    });
  }

  flushJail(spec: NftJailSpec): Promise<void> {
    return this.script(async () => {
      await this.apply(flushScript(spec), `flushing ${spec.chain}`);
      this.jails.get(spec.chain)?.elements.clear();
    });
  }

  /** Make an element present until `change.expires`, or absent. Batched with other changes. */
  change(spec: NftJailSpec, change: ElementChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'element', jail: spec, change, resolve, reject });
      this.schedule();
    });
  }

  /** Verify every started jail's chain, sets and rules; re-create what is missing. */
  check(): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let result = false;
      this.jobs.push({ kind: 'script', run: async () => { result = await this.checkAndRepair(); }, resolve: () => resolve(result), reject });
      this.schedule();
    });
  }

  /** Elements currently held for a jail (what the driver believes is in the kernel). */
  elementsOf(spec: NftJailSpec): number {
    return this.jails.get(spec.chain)?.elements.size ?? 0;
  }

  private script(run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'script', run, resolve, reject });
      this.schedule();
    });
  }

  /** Start the pump after the current turn of the event loop, so that a burst of calls is one batch. */
  private schedule(): void {
    if (this.pumping || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.jobs.length > 0) {
        const head = this.jobs[0]!;
        if (head.kind === 'script') {
          this.jobs.shift();
          try {
            await head.run();
            head.resolve();
          } catch (e) {
            head.reject(e);
          }
          continue;
        }
        let n = 0;
        while (n < this.jobs.length && n < MAX_BATCH && this.jobs[n]!.kind === 'element') n++;
        const batch = this.jobs.splice(0, n) as ElementJob[];
        await this.applyElements(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async applyElements(batch: readonly ElementJob[]): Promise<void> {
    const merged = new Map<string, Coalesced>();
    for (const job of batch) {
      const key = job.change.set + '\0' + job.change.text;
      const c = merged.get(key);
      if (c === undefined) merged.set(key, { jail: job.jail, change: job.change, jobs: [job] });
      else { c.change = job.change; c.jobs.push(job); }
    }
    const entries = [...merged.values()];
    let failure = await this.tryElements(entries);
    if (failure === null) return;
    this.log.warn(`nftables table ${this.name}: ${entries.length} element change(s) refused (${failure}); checking the table`);
    if (await this.checkAndRepair()) {
      failure = await this.tryElements(entries);
      if (failure === null) return;
    }
    await this.bisect(entries, failure);
  }

  /** Find the elements nft refuses by halving; the others are applied. */
  private async bisect(entries: readonly Coalesced[], failure: string): Promise<void> {
    if (entries.length === 1) {
      const e = entries[0]!;
      const err = new LogjailError('ACTION_NFT', `${e.change.present ? 'adding' : 'removing'} ${e.change.text} ` +
        `${e.change.present ? 'to' : 'from'} set ${e.change.set} of table inet ${this.name}: ${failure}`);
      for (const j of e.jobs) j.reject(err);
      return;
    }
    const half = entries.length >> 1;
    for (const part of [entries.slice(0, half), entries.slice(half)]) {
      const f = await this.tryElements(part);
      if (f !== null) await this.bisect(part, f);
    }
  }

  /** One transaction for these changes; null when applied (callers resolved), else nft's complaint. */
  private async tryElements(entries: readonly Coalesced[]): Promise<string | null> {
    const r = await this.run(elementScript(this.name, entries.map((e) => e.change), this.clock()));
    if (!r.ok) return complaint(r);
    for (const e of entries) {
      const held = this.jails.get(e.jail.chain)?.elements;
      const key = e.change.set + '\0' + e.change.text;
      if (held !== undefined) {
        if (e.change.present) held.set(key, e.change);
        else held.delete(key);
      }
      for (const j of e.jobs) j.resolve();
    }
    return null;
  }

  /** true when every started jail is complete (after re-creating what was missing). */
  private async checkAndRepair(): Promise<boolean> {
    if (this.jails.size === 0) return true;
    const listed = await this.run(null, ['-j', '-t', 'list', 'table', 'inet', this.name]);
    const present = listed.ok ? inventory(listed.stdout, this.name) : EMPTY_INVENTORY;
    let ok = true;
    for (const { spec, elements } of this.jails.values()) {
      if (isComplete(spec, present)) continue;
      this.log.error(`nftables table ${this.name}: chain, sets or rules of ${spec.chain} are missing; re-creating them` +
        ` with ${elements.size} banned address(es)`);
      const now = this.clock();
      const r = await this.run(startScript(spec) + elementScript(this.name, elements.values(), now));
      if (!r.ok) {
        this.log.error(new LogjailError('ACTION_NFT', `re-creating ${spec.chain} in table inet ${this.name}: ${complaint(r)}`).message);
        ok = false;
      }
    }
    return ok;
  }

  private async dropTableIfEmpty(): Promise<void> {
    const listed = await this.run(null, ['-j', '-t', 'list', 'table', 'inet', this.name]);
    if (!listed.ok) return;
    const inv = inventory(listed.stdout, this.name);
    if (inv.chains.size === 0 && inv.sets.size === 0) await this.apply(`delete table inet ${this.name}\n`, 'removing the empty table');
  }

  /** Run a script; throw LJ624 when nft refuses it. */
  private async apply(script: string, doing: string): Promise<void> {
    const r = await this.run(script);
    if (!r.ok) throw new LogjailError('ACTION_NFT', `${doing} in table inet ${this.name}: ${complaint(r)}`);
  }

  /** `nft -f -` with the script on stdin, or nft with other arguments. */
  private run(script: string | null, args: readonly string[] = ['-f', '-']): Promise<ProcessResult> {
    this.calls++;
    this.log.debug(`nft ${args.join(' ')}${script !== null ? '\n' + script : ''}`);
    return runProcess([...this.prefix, this.nft, ...args], {
      timeoutMs: this.timeoutMs, timers: this.timers, ...(script !== null ? { stdin: script } : {}),
    });
  }
}

function complaint(r: ProcessResult): string {
  if (r.spawnError !== undefined) return r.spawnError;
  if (r.timedOut) return 'nft did not finish in time';
  const text = r.stderr.trim().split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join('; ');
  return text !== '' ? text : `nft exited with ${r.code ?? r.signal}`;
}

interface Inventory {
  readonly chains: ReadonlySet<string>;
  readonly sets: ReadonlySet<string>;
  /** Per chain: the sets its rules refer to. */
  readonly ruleSets: ReadonlyMap<string, ReadonlySet<string>>;
}

const EMPTY_INVENTORY: Inventory = { chains: new Set(), sets: new Set(), ruleSets: new Map() };

/** What `nft -j -t list table` shows. */
function inventory(json: string, table: string): Inventory {
  const chains = new Set<string>();
  const sets = new Set<string>();
  const ruleSets = new Map<string, Set<string>>();
  let items: unknown[] = [];
  try {
    const doc = JSON.parse(json) as { nftables?: unknown[] };
    items = Array.isArray(doc.nftables) ? doc.nftables : [];
  } catch {
    return EMPTY_INVENTORY;
  }
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, Record<string, unknown> | undefined>;
    if (o['chain']?.['table'] === table) chains.add(String(o['chain']['name']));
    if (o['set']?.['table'] === table) sets.add(String(o['set']['name']));
    const rule = o['rule'];
    if (rule?.['table'] === table) {
      const chain = String(rule['chain']);
      let refs = ruleSets.get(chain);
      if (refs === undefined) ruleSets.set(chain, (refs = new Set()));
      for (const m of JSON.stringify(rule['expr'] ?? null).matchAll(/"@([^"]+)"/g)) refs.add(m[1]!);
    }
  }
  return { chains, sets, ruleSets };
}

function isComplete(spec: NftJailSpec, inv: Inventory): boolean {
  if (!inv.chains.has(spec.chain)) return false;
  const refs = inv.ruleSets.get(spec.chain);
  for (const set of Object.values(spec.sets)) if (!inv.sets.has(set) || refs?.has(set) !== true) return false;
  return true;
}

/** Drivers by prefix, nft path and table: jails sharing a table share its driver. */
const drivers = new Map<string, NftTable>();

export function nftTable(table: string, nft: string, opts: NftExecOptions, log: ActionLog, clock: () => number): NftTable {
  const key = JSON.stringify([opts.prefix ?? [], nft, table]);
  let d = drivers.get(key);
  if (d === undefined) drivers.set(key, (d = new NftTable(table, nft, opts, log, clock)));
  return d;
}
