/**
 * `logjail-nftables`: the ban action built into logjail. No shell, no action.d file: addresses
 * are checked (only parsed IPv4/IPv6 addresses and networks reach nft) and written into the
 * jail's nftables sets with a timeout equal to the time the ban has left, so the kernel lifts
 * the ban on time even while logjail is not running; a permanent ban has no timeout.
 * See nftSpec.ts for what it creates and nftTable.ts for batching and repair.
 *
 * Parameters: table (logjail), hook (input | forward | prerouting), priority (-1),
 * blocktype (reject | drop), port/protocol/type (as iptables-multiport), nft (path), name.
 */
import { LogjailError } from '../../errors.js';
import type { ActionDefinition } from '../../config/types.js';
import { SILENT_LOG, type Action, type ActionLog, type Ban } from '../types.js';
import { nftAddress, nftJailSpec, setFor, type NftJailSpec } from './nftSpec.js';
import { nftTable, type NftExecOptions, type NftTable } from './nftTable.js';

export interface NftablesActionOptions extends NftExecOptions {
  readonly log?: ActionLog;
  /** Epoch seconds now (remaining ban time = ban.time + ban.banTime - now). */
  readonly clock?: () => number;
}

export class NftablesAction implements Action {
  readonly name: string;
  readonly norestored = false;
  /** A longer ban time is a new element timeout. */
  readonly prolongable = true;
  readonly hasFlush = true;
  readonly banEpoch = 0;
  readonly spec: NftJailSpec;
  readonly table: NftTable;

  constructor(def: ActionDefinition, opts: NftablesActionOptions = {}) {
    this.name = def.actname;
    this.spec = nftJailSpec(def);
    this.table = nftTable(this.spec.table, this.spec.nft, { ...opts, timeoutSeconds: opts.timeoutSeconds ?? def.timeout },
      opts.log ?? SILENT_LOG, opts.clock ?? (() => Date.now() / 1000));
  }

  start(): Promise<void> {
    return this.table.startJail(this.spec);
  }

  stop(): Promise<void> {
    return this.table.stopJail(this.spec);
  }

  ban(ban: Ban): Promise<void> {
    return this.put(ban, true);
  }

  /** Banning again sets the element's timeout anew, which is all a reban or a prolong needs. */
  reban(ban: Ban): Promise<void> {
    return this.put(ban, true);
  }

  prolong(ban: Ban): Promise<void> {
    return this.put(ban, true);
  }

  unban(ban: Ban): Promise<void> {
    return this.put(ban, false);
  }

  flush(): Promise<void> {
    return this.table.flushJail(this.spec);
  }

  /** Re-create chain and rules (parameters may have changed); elements stay. */
  reload(): Promise<void> {
    return this.table.startJail(this.spec);
  }

  consistencyCheck(): Promise<boolean> {
    return this.table.check();
  }

  private put(ban: Ban, present: boolean): Promise<void> {
    const a = nftAddress(ban.ip);
    if (a === null) {
      return Promise.reject(new LogjailError('ACTION_BAD_ADDRESS',
        `${JSON.stringify(ban.ip)} (jail ${ban.jail}) is neither an IPv4/IPv6 address nor a network; not given to nft`));
    }
    return this.table.change(this.spec, {
      set: setFor(this.spec, a),
      text: a.text,
      present,
      expires: ban.banTime < 0 ? null : ban.time + ban.banTime,
    });
  }
}
