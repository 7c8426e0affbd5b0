/**
 * An action.d file run as fail2ban runs it: shell commands for start, stop, check, ban, unban,
 * flush, reban, prolong, repair and reload, with fail2ban's rules for when each runs.
 *
 * - Start at jail start, once per address family the action has variants for (`[Init?family=inet6]`),
 *   or, "on demand" (the default when it has such variants), right before the first ban of
 *   each family. Stop runs for started families only; unban and flush only for families that
 *   hold bans. A family whose command text is the same as another family's is not run twice.
 * - A failed ban or unban runs actioncheck; if the check fails, actionrepair (or stop + start
 *   when there is none) restores the firewall, and the command is retried once. Without
 *   actioncheck the command is simply retried once. Unban failures are repaired only with
 *   `actionrepair_on_unban`.
 * - Commands are built in two steps: static tags from the action's parameters (the `?family=`
 *   variant first, cached per command and family), then the ban's values (dynamicTags.ts).
 *
 * Calls are queued per action, so they apply in the order they were made.
 */
import { LogjailError } from '../errors.js';
import { replaceTags } from '../config/tags.js';
import type { ActionCommands, ActionDefinition } from '../config/types.js';
import type { CommandRunner } from './commandRunner.js';
import { substituteDynamic } from './dynamicTags.js';
import { SYSTEM_HOST_NAMES, type HostNames } from './hostNames.js';
import { SerialQueue } from './serialQueue.js';
import { banTags, familyTags, operationTags } from './tagValues.js';
import { SILENT_LOG, type Action, type ActionLog, type Ban, type JailContext } from './types.js';

type Op = keyof ActionCommands;

export interface CommandActionOptions {
  readonly runner: CommandRunner;
  readonly jail: JailContext;
  readonly log?: ActionLog;
  /** Epoch seconds now (for `<time>` in start/stop...). */
  readonly clock?: () => number;
  /** Start the inet6 variants too (fail2ban.conf allowipv6); default true. */
  readonly allowIPv6?: boolean;
  readonly hostNames?: HostNames;
  /** Shared by the actions of a jail: raised when one of them repairs its firewall state. */
  readonly epoch?: { value: number };
}

/** Bits of a family's state, as fail2ban keeps them. */
const STARTED = 1;
const HAS_BANS = 2;

export class CommandAction implements Action {
  readonly name: string;
  readonly norestored: boolean;
  readonly prolongable: boolean;
  readonly hasFlush: boolean;
  private readonly def: ActionDefinition;
  private readonly runner: CommandRunner;
  private readonly jail: JailContext;
  private readonly log: ActionLog;
  private readonly clock: () => number;
  private readonly hosts: HostNames;
  private readonly epoch: { value: number };
  private readonly onDemand: boolean;
  private readonly families: readonly string[];
  private readonly values: ReadonlyMap<string, string>;
  private readonly queue = new SerialQueue();
  /** State per family ("" for an action without family variants). */
  private started = new Map<string, number>();
  /** Static command text per "op\0family". */
  private readonly staticCache = new Map<string, string>();
  /** Per operation: the command text last run successfully for each family. */
  private readonly executed = new Map<Op, Map<string, string>>();
  private epochValue = 0;

  constructor(def: ActionDefinition, opts: CommandActionOptions) {
    if (def.python) {
      throw new LogjailError('CONFIG_PYTHON_ACTION', `"${def.file}" is a Python action; logjail cannot run it`, def.place);
    }
    this.def = def;
    this.name = def.actname;
    this.norestored = def.norestored;
    this.runner = opts.runner;
    this.jail = opts.jail;
    this.log = opts.log ?? SILENT_LOG;
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.hosts = opts.hostNames ?? SYSTEM_HOST_NAMES;
    this.epoch = opts.epoch ?? { value: 0 };
    this.onDemand = def.startOnDemand ?? def.hasFamilyConditionals;
    this.values = staticValues(def);
    const families = def.properties['families'];
    this.families = families !== undefined && families.trim() !== '' ? families.trim().split(/[\s,]+/)
      : def.hasFamilyConditionals ? (opts.allowIPv6 === false ? ['inet4'] : ['inet4', 'inet6']) : [''];
    this.prolongable = (def.commands.actionprolong ?? '').trim() !== '';
    this.hasFlush = (def.commands.actionflush ?? '') !== '';
  }

  get banEpoch(): number {
    return this.epochValue;
  }

  start(): Promise<void> {
    return this.queue.run(() => this.startFamilies(undefined, false));
  }

  stop(): Promise<void> {
    return this.queue.run(() => this.stopFamilies(undefined));
  }

  ban(ban: Ban): Promise<void> {
    return this.queue.run(() => this.doBan(ban, 'actionban'));
  }

  reban(ban: Ban): Promise<void> {
    return this.queue.run(() => this.doBan(ban, this.def.commands.actionreban ? 'actionreban' : 'actionban'));
  }

  prolong(ban: Ban): Promise<void> {
    return this.queue.run(async () => {
      if (!this.prolongable) return;
      if (!(await this.processCmd('actionprolong', ban))) throw this.failure('prolonging', ban.ip);
    });
  }

  unban(ban: Ban): Promise<void> {
    return this.queue.run(async () => {
      if (((this.started.get(familyOf(ban)) ?? 0) & HAS_BANS) === 0) return;
      if (!(await this.processCmd('actionunban', ban))) throw this.failure('unbanning', ban.ip);
    });
  }

  flush(): Promise<void> {
    return this.queue.run(async () => {
      if (!this.hasFlush) return;  // the jail unbans one by one instead
      const families = [...this.started].filter(([, v]) => (v & (STARTED | HAS_BANS)) === (STARTED | HAS_BANS)).map(([f]) => f);
      if (families.length === 0) return;
      await this.executeOperation('actionflush', 'flushing', families, (f, ok) => {
        const v = this.started.get(f);
        if (ok && v) this.started.set(f, v & ~HAS_BANS);
      });
    });
  }

  reload(): Promise<void> {
    return this.queue.run(() => this.executeOperation('actionreload', 'reloading', undefined));
  }

  consistencyCheck(beforeRepair?: () => boolean): Promise<boolean> {
    return this.queue.run(async () => {
      if (!this.def.commands.actioncheck) return true;
      let ok = true;
      for (const [family, state] of [...this.started]) {
        if (state && (await this.invariantCheck(family, beforeRepair, true)) === 0) {
          this.started.set(family, 0);
          this.setExecuted('actionstart', family, null);
          ok = false;
        }
      }
      return ok;
    });
  }

  // ---- fail2ban's life cycle ----

  private async startFamilies(family: string | undefined, force: boolean): Promise<void> {
    if (this.onDemand ? !force : !force && family !== undefined && this.started.get(family)) return;
    await this.executeOperation('actionstart', 'starting', family !== undefined ? [family] : this.families, (f, ok) => {
      if (!ok) return;
      this.setExecuted('actionstop', f, null);
      this.started.set(f, STARTED);
    });
  }

  private async stopFamilies(family: string | undefined): Promise<void> {
    let families: string[];
    if (family === undefined) {
      families = [...this.started].filter(([, v]) => v).map(([f]) => f);
      if (families.length === 0) return;
      this.started = new Map();
    } else {
      if (!this.started.has(family)) return;
      this.started.set(family, 0);
      families = [family];
    }
    await this.executeOperation('actionstop', 'stopping', families, (f, ok) => {
      if (ok) this.setExecuted('actionstart', f, null);
    });
  }

  private async doBan(ban: Ban, op: 'actionban' | 'actionreban'): Promise<void> {
    const family = familyOf(ban);
    if (this.onDemand && !this.started.get(family)) await this.startFamilies(family, true);
    if (!(await this.processCmd(op, ban))) throw this.failure(op === 'actionban' ? 'banning' : 'rebanning', ban.ip);
    this.started.set(family, (this.started.get(family) ?? 0) | STARTED | HAS_BANS);
  }

  /**
   * Run an operation without a ban (start, stop, flush, reload) for each family (default: the
   * started ones). Throws when one of them failed, after trying all.
   */
  private async executeOperation(op: Op, doing: string, families: readonly string[] | undefined,
    after?: (family: string, ok: boolean) => void): Promise<void> {
    const list = families ?? [...this.started].filter(([, v]) => v).map(([f]) => f);
    let allOk = true;
    let why = 'script error';
    for (const family of list) {
      let ok = true;
      let key = '';
      try {
        const cmd = this.staticCommand(op, family);
        key = familyKey(cmd, family);
        if (cmd !== '' && !this.executedByOther(op, family, key)) {
          const real = await substituteDynamic(cmd, operationTags(family, this.clock(), this.jail, this.hosts));
          ok = (await this.runner.run(real, this.def.timeout, this.label(op))).ok;
          allOk &&= ok;
        }
      } catch (e) {
        ok = allOk = false;
        why = e instanceof Error ? e.message : String(e);
      }
      after?.(family, ok);
      this.setExecuted(op, family, ok ? key : null);
    }
    if (!allOk) {
      throw new LogjailError('ACTION_COMMAND_FAILED', `error ${doing} action ${this.jail.name}/${this.name}: ${why}`);
    }
  }

  /** Run a ban-related command; on failure check, repair and retry once. */
  private async processCmd(op: Op, ban: Ban): Promise<boolean> {
    const family = familyOf(ban);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && this.def.commands.actioncheck) {
        const beforeRepair = (): boolean => {
          if (op === 'actionunban' && !this.def.repairOnUnban) {
            this.log.error(`[${this.jail.name}] ${this.name}: invariant check failed; unban is impossible`);
            return false;
          }
          return true;
        };
        if ((await this.invariantCheck(family, beforeRepair, op !== 'actionunban')) !== 1) return false;
      }
      const cmd = this.staticCommand(op, family);
      const real = await substituteDynamic(cmd, banTags(ban, this.jail, this.hosts));
      const ok = (await this.runner.run(real, this.def.timeout, this.label(op))).ok;
      if (ok || attempt >= 1) return ok;
    }
  }

  /** 1 = sane (or repaired), 0 = broken, -1 = repair refused by `beforeRepair`. */
  private async invariantCheck(family: string, beforeRepair: (() => boolean) | undefined, forceStart: boolean): Promise<number> {
    if (!forceStart && !this.started.has(family)) return 1;
    const check = await substituteDynamic(this.staticCommand('actioncheck', family), familyTags(family, this.hosts));
    if (check.script === '' || (await this.runner.run(check, this.def.timeout, this.label('actioncheck'))).ok) return 1;
    if (beforeRepair !== undefined && !beforeRepair()) return -1;
    this.log.error(`[${this.jail.name}] ${this.name}: invariant check failed; trying to restore a sane environment`);
    this.epochValue = ++this.epoch.value;
    let target = family;
    const repair = await substituteDynamic(this.staticCommand('actionrepair', family), familyTags(family, this.hosts));
    if (repair.script !== '') {
      if (!(await this.runner.run(repair, this.def.timeout, this.label('actionrepair'))).ok) {
        this.started.set(family, 0);
        this.log.error(`[${this.jail.name}] ${this.name}: unable to restore environment`);
        return 0;
      }
      this.started.set(family, STARTED);
    } else {
      // An action without family variants was started once for all families (""): restart
      // that. (fail2ban restarts the ban's family, which is then skipped as "already run".)
      target = !this.started.get(family) && this.started.get('') ? '' : family;
      try {
        await this.stopFamilies(target);
      } catch {
        // a failing stop does not matter if start and check succeed afterwards
      }
      await this.startFamilies(target, forceStart || !this.onDemand);
    }
    if (this.started.get(target) && !(await this.runner.run(check, this.def.timeout, this.label('actioncheck'))).ok) {
      this.log.error(`[${this.jail.name}] ${this.name}: unable to restore environment`);
      return 0;
    }
    return 1;
  }

  // ---- command text ----

  /** The command with the action's own tags put in (the `?family=` variant first). */
  private staticCommand(op: Op, family: string): string {
    const key = op + '\0' + family;
    let cmd = this.staticCache.get(key);
    if (cmd === undefined) {
      cmd = replaceTags(`<${op}>`, this.values, family !== '' ? 'family=' + family : '');
      // an action without this command leaves the tag itself
      if (cmd === `<${op}>`) cmd = '';
      this.staticCache.set(key, cmd);
    }
    return cmd;
  }

  /** Whether the same command already ran (successfully) for another family. */
  private executedByOther(op: Op, family: string, key: string): boolean {
    const m = this.executed.get(op);
    if (m === undefined) return false;
    for (const [f, k] of m) if (f !== family && k === key) return true;
    return false;
  }

  /** Remember (key) or forget (null: this family and all with the same command) a run. */
  private setExecuted(op: Op, family: string, key: string | null): void {
    let m = this.executed.get(op);
    if (key !== null && key !== '') {
      if (m === undefined) this.executed.set(op, (m = new Map()));
      m.set(family, key);
      return;
    }
    if (m === undefined) return;
    const old = m.get(family);
    m.delete(family);
    if (old !== undefined) for (const [f, k] of [...m]) if (k === old) m.delete(f);
  }

  private label(op: Op): string {
    return `[${this.jail.name}] ${this.name} ${op}`;
  }

  private failure(doing: string, ip: string): LogjailError {
    return new LogjailError('ACTION_COMMAND_FAILED', `error ${doing} ${ip} with action ${this.jail.name}/${this.name}`);
  }
}

function familyOf(ban: Ban): string {
  return ban.family ?? '';
}

/** The command as it differs between families (`<family>` put in), to recognise the same command. */
function familyKey(cmd: string, family: string): string {
  return family !== '' && cmd.includes('<family>') ? cmd.split('<family>').join(family) : cmd;
}

/**
 * What static tags resolve against: the parameters and [Init] values, the commands, and
 * `timeout` in seconds. `bantime` is left out: fail2ban never gives an action a bantime
 * property, `<bantime>` is always the ban's.
 */
function staticValues(def: ActionDefinition): Map<string, string> {
  const m = new Map(Object.entries(def.properties));
  for (const [k, v] of Object.entries(def.commands)) if (v !== undefined) m.set(k, v);
  m.delete('bantime');
  m.set('timeout', String(def.timeout));
  return m;
}
