/**
 * From configuration to running actions: each ActionDefinition of a jail becomes a
 * CommandAction (action.d files) or the built-in NftablesAction, all of them sharing the jail's
 * context, log, clock and ban epoch, gathered in a JailActions.
 */
import { LogjailError } from '../errors.js';
import type { ActionDefinition } from '../config/types.js';
import { CommandAction } from './commandAction.js';
import { CommandRunner } from './commandRunner.js';
import type { HostNames } from './hostNames.js';
import { JailActions } from './jailActions.js';
import { NftablesAction } from './nftables/nftablesAction.js';
import type { Timers } from './process.js';
import { SILENT_LOG, type Action, type ActionLog, type JailContext } from './types.js';

export interface ActionEnvironment {
  /** Runs the shell commands (default: /bin/sh through the process-wide queue). */
  readonly runner?: CommandRunner;
  /** Prefix for nft calls of built-in actions, e.g. ['ip', 'netns', 'exec', NS]. */
  readonly nftPrefix?: readonly string[];
  readonly log?: ActionLog;
  readonly clock?: () => number;
  readonly timers?: Timers;
  readonly allowIPv6?: boolean;
  readonly hostNames?: HostNames;
}

/**
 * The actions of a jail. Python actions (which logjail cannot run; the configuration reader
 * warned about them) are left out with an error in the log; other problems (a bad parameter of
 * the built-in action) throw a LogjailError.
 */
export function createJailActions(jail: JailContext, defs: readonly ActionDefinition[], env: ActionEnvironment = {}): JailActions {
  const log = env.log ?? SILENT_LOG;
  const runner = env.runner ?? new CommandRunner({ log, ...(env.timers ? { timers: env.timers } : {}) });
  const epoch = { value: 0 };
  const actions: Action[] = [];
  for (const def of defs) {
    if (def.python) {
      log.error(new LogjailError('CONFIG_PYTHON_ACTION', `[${jail.name}] action ${def.actname} ("${def.file}") is skipped`, def.place).message);
      continue;
    }
    if (def.builtin === true) {
      actions.push(new NftablesAction(def, {
        log,
        ...(env.nftPrefix !== undefined ? { prefix: env.nftPrefix } : {}),
        ...(env.clock !== undefined ? { clock: env.clock } : {}),
        ...(env.timers !== undefined ? { timers: env.timers } : {}),
      }));
      continue;
    }
    actions.push(new CommandAction(def, {
      runner, jail, log, epoch,
      ...(env.clock !== undefined ? { clock: env.clock } : {}),
      ...(env.allowIPv6 !== undefined ? { allowIPv6: env.allowIPv6 } : {}),
      ...(env.hostNames !== undefined ? { hostNames: env.hostNames } : {}),
    }));
  }
  return new JailActions(jail.name, actions, log);
}
