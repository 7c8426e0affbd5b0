/**
 * The actions of one jail, driven together as fail2ban's `Actions` drives them: started in file
 * order, bans given to each action in file order (restored bans skipped by `norestored`
 * actions), stopped in reverse order after their bans were flushed. A failing action is
 * reported and does not keep the others from running.
 *
 * Calls return promises but need not be awaited one by one: each action applies calls in the
 * order they were made, so a jail may hand over a burst of bans at once (which lets the
 * built-in nftables action put them into one firewall transaction).
 */
import { isLogjailError } from '../errors.js';
import { SILENT_LOG, type Action, type ActionLog, type Ban } from './types.js';

export class JailActions {
  readonly jail: string;
  readonly actions: readonly Action[];
  private readonly log: ActionLog;

  constructor(jail: string, actions: readonly Action[], log: ActionLog = SILENT_LOG) {
    this.jail = jail;
    this.actions = actions;
    this.log = log;
  }

  /** The highest ban epoch of the actions: bans older than it need a reban. */
  get banEpoch(): number {
    let e = 0;
    for (const a of this.actions) if (a.banEpoch > e) e = a.banEpoch;
    return e;
  }

  /** Start every action (those that start on demand do nothing yet). */
  async start(): Promise<void> {
    for (const a of this.actions) {
      try {
        await a.start();
      } catch (e) {
        this.log.error(`[${this.jail}] failed to start action ${a.name}: ${message(e)}`);
      }
    }
  }

  /** Ban with every action; true when all of them succeeded. */
  ban(ban: Ban): Promise<boolean> {
    return this.each('ban', ban, this.actions.filter((a) => !(ban.restored && a.norestored)), (a) => a.ban(ban));
  }

  /** Ban again (after a repair): with every action, or only those whose epoch is newer than `sinceEpoch`. */
  reban(ban: Ban, sinceEpoch?: number): Promise<boolean> {
    const actions = sinceEpoch === undefined ? this.actions : this.actions.filter((a) => a.banEpoch > sinceEpoch);
    return this.each('reban', ban, actions, (a) => a.reban(ban));
  }

  /** The ban time grew (bantime.increment): tell the actions that have a prolong command. */
  prolong(ban: Ban): Promise<boolean> {
    return this.each('prolong', ban, this.actions.filter((a) => a.prolongable && !(ban.restored && a.norestored)), (a) => a.prolong(ban));
  }

  unban(ban: Ban): Promise<boolean> {
    return this.each('unban', ban, this.actions, (a) => a.unban(ban));
  }

  /**
   * Lift all bans (`current`: the bans in force): actions with a flush command flush at once,
   * the others unban one by one. A failed flush leads to a consistency check, not to unbans.
   * `stopping`: the jail is stopping, so a broken firewall is not repaired just to be emptied.
   */
  async flush(current: Iterable<Ban>, stopping = false): Promise<void> {
    const oneByOne: Action[] = [];
    for (const a of this.actions) {
      if (!a.hasFlush) {
        oneByOne.push(a);
        continue;
      }
      this.log.notice(`[${this.jail}] Flush ticket(s) with ${a.name}`);
      try {
        await a.flush();
      } catch (e) {
        this.log.error(`[${this.jail}] failed to flush bans with action ${a.name}: ${message(e)}`);
        this.log.info(`[${this.jail}] no flush occurred, checking the firewall state`);
        await a.consistencyCheck(() => {
          if (stopping) this.log.error(`[${this.jail}] ${a.name}: invariant check failed; flush is impossible`);
          return !stopping;
        }).catch((err: unknown) => this.log.error(`[${this.jail}] ${a.name}: ${message(err)}`));
      }
    }
    if (oneByOne.length === 0) return;
    const pending: Promise<boolean>[] = [];
    for (const b of current) pending.push(this.each('unban', b, oneByOne, (a) => a.unban(b)));
    await Promise.all(pending);
  }

  /** Flush, then stop the actions in reverse order. */
  async stop(current: Iterable<Ban>): Promise<void> {
    await this.flush(current, true);
    for (const a of [...this.actions].reverse()) {
      try {
        await a.stop();
      } catch (e) {
        this.log.error(`[${this.jail}] failed to stop action ${a.name}: ${message(e)}`);
      }
    }
  }

  async reload(): Promise<void> {
    for (const a of this.actions) {
      try {
        await a.reload();
      } catch (e) {
        this.log.error(`[${this.jail}] failed to reload action ${a.name}: ${message(e)}`);
      }
    }
  }

  /** Check every action's firewall state (repairing what was lost); true when all are sane. */
  async consistencyCheck(): Promise<boolean> {
    let ok = true;
    for (const a of this.actions) {
      try {
        ok = (await a.consistencyCheck()) && ok;
      } catch (e) {
        ok = false;
        this.log.error(`[${this.jail}] consistency check of action ${a.name} failed: ${message(e)}`);
      }
    }
    return ok;
  }

  /** Give one ban to several actions, all queued at once; report failures one by one. */
  private async each(what: string, ban: Ban, actions: readonly Action[], call: (a: Action) => Promise<void>): Promise<boolean> {
    const results = await Promise.allSettled(actions.map(call));
    let ok = true;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      ok = false;
      this.log.error(`[${this.jail}] failed to execute ${what} of ${ban.ip} with action ${actions[i]!.name}: ${message(r.reason)}`);
    });
    return ok;
  }
}

function message(e: unknown): string {
  if (isLogjailError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}
