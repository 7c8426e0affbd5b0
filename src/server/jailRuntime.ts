/**
 * One running jail: its log sources, filter, counting and actions, wired together.
 *
 *   sources ──text──► LineFeeder ──lines──► Filter ──Failure──► Jail ──Ban/Unban──► JailActions
 *      │                                                            │
 *      └── positions ─────────────────► Store ◄──── bans ──────────┘
 */
import type { JailConfig } from '../config/index.js';
import { LogjailError } from '../errors.js';
import { CompiledFilter } from '../filter/compiledFilter.js';
import { createDateDetector } from '../filter/date/index.js';
import { Filter } from '../filter/filter.js';
import { LineFeeder } from '../filter/lineFeeder.js';
import { specOf } from '../filter/spec.js';
import type { Failure } from '../filter/types.js';
import { CommandRunner, createJailActions, substituteDynamic, type ActionEnvironment, type Ban, type JailActions } from '../actions/index.js';
import { BanTime } from '../jail/banTime.js';
import type { BanEntry } from '../jail/banManager.js';
import { IgnoreList, lookupAll } from '../jail/ignore.js';
import { Jail } from '../jail/jail.js';
import { jailSources, type LogSource, type PieceInfo, type SourceEvent, type SourceState } from '../sources/index.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';

export interface RuntimeEnv {
  readonly store: Store | null;
  readonly log: Logger;
  /** Epoch seconds. */
  readonly clock: () => number;
  readonly actionEnv?: ActionEnvironment;
  readonly resolve?: (name: string) => Promise<string[]>;
  readonly pollInterval?: number;
}

/** The jail stage's ban as the action stage wants it. */
export function actionBan(jail: string, b: BanEntry): Ban {
  const data: Record<string, string> = {};
  for (const k in b.data) {
    const v = b.data[k];
    if (v === undefined || v === null || k === 'matches' || k === 'failures') continue;
    data[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return {
    jail, id: b.id, ip: b.ip, family: b.family, time: b.time, banTime: b.banTime, banCount: b.count,
    failures: b.failures, matches: b.matches, data, restored: b.restored,
  };
}

export class JailRuntime {
  readonly name: string;
  readonly cfg: JailConfig;
  readonly jail: Jail;
  readonly actions: JailActions;
  readonly filter: Filter;
  private readonly feeder: LineFeeder;
  private readonly sources: LogSource[] = [];
  private readonly env: RuntimeEnv;
  private lineNo = 0;

  constructor(cfg: JailConfig, env: RuntimeEnv) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.env = env;
    const log = env.log;
    if (cfg.filter === null) throw new LogjailError('FILTER_DEFINITION', `jail ${cfg.name} has no filter`, cfg.place);
    const def = new CompiledFilter(specOf(cfg.filter), { useDns: cfg.useDns }).prepare();
    this.filter = new Filter(def, {
      dates: createDateDetector({ pattern: cfg.filter.datepattern, timezone: cfg.logTimezone, context: `jail ${cfg.name}` }),
      checkFindTime: true,
      findTime: cfg.findTime,
      clock: env.clock,
      onWarning: (code, line) => {
        if (code === 'too-old') return;
        log.warn(`[${cfg.name}] ${code === 'odd-time' ? 'a log entry far from the current time was taken as happening now' : code}: ${line.slice(0, 200)}`);
      },
    });
    // catching up at start: lines older than findtime are skipped until the first end of file
    this.filter.inOperation = false;
    this.feeder = new LineFeeder(this.filter, {
      onFailures: (found) => this.found(found),
      onStall: (n, line) => log.error(new LogjailError('LINE_TIMEOUT', `[${cfg.name}] a line took too long to match and was skipped: ${line.slice(0, 200)}`).message),
      onLongLine: () => undefined,
    });
    const resolve = env.resolve ?? lookupAll;
    this.jail = new Jail({
      name: cfg.name,
      maxRetry: cfg.maxRetry,
      findTime: cfg.findTime,
      maxMatches: cfg.maxMatches,
      banTime: new BanTime(cfg.banTime, cfg.banTimeIncrement, cfg.place),
      ignore: new IgnoreList({
        ignoreIp: cfg.ignoreIp, ignoreSelf: cfg.ignoreSelf, clock: env.clock, resolve,
        ...(cfg.ignoreCommand !== undefined && cfg.ignoreCommand.trim() !== '' ? { command: ignoreCommand(cfg.name, cfg.ignoreCommand, log) } : {}),
      }),
      useDns: cfg.useDns,
      resolve,
      store: env.store,
      clock: env.clock,
      events: {
        onBan: (_j, b) => {
          log.notice(`[${cfg.name}] ${b.restored ? 'Restore Ban' : 'Ban'} ${b.ip}`);
          // a ban is remembered; remember how far the log was read with it
          if (!b.restored) this.savePositions();
          void this.actions.ban(actionBan(cfg.name, b));
        },
        onUnban: (_j, b) => {
          log.notice(`[${cfg.name}] Unban ${b.ip}`);
          void this.actions.unban(actionBan(cfg.name, b));
        },
        onLog: (_j, level, message) => log.write(level, `[${cfg.name}] ${message}`),
        onAlreadyBanned: (_j, b) => void this.recheck(b),
      },
    });
    const store = env.store;
    this.actions = createJailActions({
      name: cfg.name,
      banTime: cfg.banTime,
      counters: () => ({
        banned: this.jail.bans.size, bannedTotal: this.jail.bans.total,
        found: this.jail.failures.size, foundTotal: this.jail.failures.total,
      }),
      ...(store !== null ? { history: async (ip: string, all: boolean) => store.addressHistory(ip, all ? null : cfg.name) } : {}),
    }, cfg.actions, { log: actionLog(log), clock: env.clock, ...env.actionEnv });
  }

  /**
   * An address keeps failing although banned: maybe someone flushed the firewall. Let the
   * actions check their state and repair it, then ban again where it was lost.
   */
  private async recheck(b: BanEntry): Promise<void> {
    if (this.rechecking.has(b.id)) return;
    this.rechecking.add(b.id);
    try {
      const before = this.actions.banEpoch;
      await this.actions.consistencyCheck();
      if (this.actions.banEpoch > before) {
        for (const cur of this.jail.bans.list()) await this.actions.reban(actionBan(this.name, cur), before);
      }
    } finally {
      this.rechecking.delete(b.id);
    }
  }

  private readonly rechecking = new Set<string>();

  private found(found: readonly Failure[]): void {
    this.jail.addFailures(found);
  }

  /** Files followed now (or the journal). */
  get fileList(): readonly string[] {
    const out = new Set<string>();
    for (const s of this.sources) for (const p of s.positions()) out.add(p.path);
    for (const lp of this.cfg.logpaths) if (!/[*?[]/.test(lp.pattern)) out.add(lp.pattern);
    return [...out];
  }

  /** Start: start the actions, restore bans, then follow the logs (catching up first). */
  async start(): Promise<void> {
    const log = this.env.log;
    await this.actions.start();
    const restored = this.jail.restore();
    if (restored > 0) log.info(`[${this.name}] restored ${restored} ban(s) from the database`);
    const store = this.env.store;
    this.sources.push(...jailSources(this.cfg, {
      sink: (text: string, ascii: boolean, info: PieceInfo) => {
        if (info.journal !== undefined) this.feeder.pushJournal(text, info.journal, ascii);
        else this.feeder.push(text, ascii);
      },
      onEvent: (ev) => this.sourceEvent(ev),
      position: (path) => {
        const stored = store?.position(this.name, path) ?? null;
        if (stored === null) return undefined;
        try {
          return JSON.parse(stored.pos) as SourceState;
        } catch {
          return undefined; // an unreadable position: start anew
        }
      },
      now: this.env.clock,
      ...(this.env.pollInterval !== undefined ? { pollInterval: this.env.pollInterval } : {}),
    }));
    await Promise.all(this.sources.map((s) => s.start()));
    this.filter.inOperation = true;
    log.info(`[${this.name}] Jail started`);
  }

  private sourceEvent(ev: SourceEvent): void {
    const log = this.env.log;
    switch (ev.kind) {
      case 'missing': log.warn(`[${this.name}] ${ev.error.detail}; waiting for it`); break;
      case 'opened': log.info(`[${this.name}] following ${ev.path} from position ${ev.pos} (${ev.how})`); break;
      case 'rotated': log.info(`[${this.name}] ${ev.path} was ${ev.how}`); break;
      case 'error': log.error(`[${this.name}] ${ev.error.message}`); break;
      default: break;
    }
  }

  /** Positions to keep. */
  savePositions(): void {
    const store = this.env.store;
    if (store === null) return;
    const list = this.sources.flatMap((s) => s.positions()).map((p) => ({
      jail: this.name, source: p.path, hash: 'firstLineHash' in p ? p.firstLineHash : '', pos: JSON.stringify(p),
    }));
    store.setPositions(list);
  }

  tick(): void {
    this.jail.tick();
  }

  /** Stop: sources first, then the last lines, positions, and the actions (bans flushed). */
  async stop(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
    this.feeder.end();
    await this.jail.settled();
    this.savePositions();
    const current = this.jail.bans.list().map((b) => actionBan(this.name, b));
    await this.actions.stop(current);
    this.env.log.info(`[${this.name}] Jail stopped`);
  }
}

/**
 * `ignorecommand`: exit 0 = ignore the address, 1 = do not, anything else = an error (not
 * ignored). The address reaches the shell like any value from a log: escaped.
 */
function ignoreCommand(jail: string, command: string, log: Logger): (ip: string) => Promise<boolean> {
  const runner = new CommandRunner({ log: actionLog(log) });
  return async (ip) => {
    const cmd = await substituteDynamic(command, { value: (tag) => (tag === 'ip' || tag === 'fid' ? ip : undefined), fields: {} });
    const r = await runner.run(cmd, 60, `[${jail}] ignorecommand`);
    if (r.code === 0) return true;
    if (r.code !== 1) log.error(`[${jail}] ignorecommand failed for ${ip} (exit ${r.code ?? r.signal ?? '?'}): ${r.stderr.trim().slice(0, 200)}`);
    return false;
  };
}

function actionLog(log: Logger): { error(m: string): void; warn(m: string): void; notice(m: string): void; info(m: string): void; debug(m: string): void } {
  return {
    error: (m) => log.error(m), warn: (m) => log.warn(m), notice: (m) => log.notice(m),
    info: (m) => log.info(m), debug: (m) => log.debug(m),
  };
}
