/**
 * `logjail server`: the daemon. It reads the configuration, opens the store, starts every
 * enabled jail (a broken one is reported and skipped), lifts bans when their time is up, keeps
 * log positions, purges old history, and answers the control socket (it implements Controller).
 *
 *   config ──► Daemon ──► JailRuntime × n ──► (sources → filter → jail → actions)
 *                 │  ▲
 *   store ◄───────┘  └── ControlServer (Unix socket, root only) ◄── logjail client commands
 *
 * Shutdown order: stop reading the logs, handle the lines read, save positions, stop the
 * actions (flushing the firewall), close the store, remove the socket.
 */
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, parseDuration, renderWarning, type LoadedConfig } from '../config/index.js';
import { BanTime } from '../jail/banTime.js';
import { LogjailError } from '../errors.js';
import type { ActionEnvironment } from '../actions/index.js';
import type { BannedEntry, Controller, JailSetting, JailStatus } from '../control/controller.js';
import { Store } from '../store/store.js';
import { banEnd } from '../jail/banManager.js';
import { ipAddr } from '../filter/filter.js';
import { JailRuntime } from './jailRuntime.js';
import { Logger } from './logger.js';

export const VERSION = '0.1.0';

export interface DaemonOptions {
  readonly configDir: string;
  /** Overrides of fail2ban.conf. */
  readonly socket?: string | undefined;
  readonly dbfile?: string | undefined;
  readonly logtarget?: string | undefined;
  readonly loglevel?: string | undefined;
  readonly pidfile?: string | undefined;
  /** Epoch seconds (tests inject a fake clock). */
  readonly clock?: () => number;
  /** How often bans are checked for their end (ms, default 1000). */
  readonly tickMs?: number;
  readonly actionEnv?: ActionEnvironment;
  readonly pollInterval?: number;
  readonly resolve?: (name: string) => Promise<string[]>;
}

const POSITIONS_EVERY = 10_000;
const PURGE_EVERY = 3600_000;

export class Daemon implements Controller {
  readonly log: Logger;
  readonly store: Store | null;
  private config: LoadedConfig;
  private readonly jailsByName = new Map<string, JailRuntime>();
  private readonly o: DaemonOptions;
  private readonly clock: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastPositions = 0;
  private lastPurge = 0;
  private stopping: Promise<void> | null = null;
  /** Called once the daemon has shut down (the process may then exit). */
  onStopped: (() => void) | null = null;
  readonly socketPath: string;
  private readonly pidfile: string;

  private constructor(o: DaemonOptions, config: LoadedConfig, log: Logger, store: Store | null) {
    this.o = o;
    this.config = config;
    this.log = log;
    this.store = store;
    this.clock = o.clock ?? (() => Date.now() / 1000);
    this.socketPath = o.socket ?? config.server.socket;
    this.pidfile = o.pidfile ?? config.server.pidfile;
  }

  /** Read the configuration and start everything. Configuration errors throw (exit 78). */
  static async start(o: DaemonOptions): Promise<Daemon> {
    const config = loadConfig(o.configDir);
    const log = new Logger(o.logtarget ?? config.server.logtarget, o.loglevel ?? config.server.loglevel);
    for (const w of config.warnings) log.warn(renderWarning(w).replace(/\n\s*/g, ' '));
    const dbfile = o.dbfile ?? config.server.dbfile;
    const store = dbfile === 'None' || dbfile === '' ? null : new Store(dbfile);
    const d = new Daemon(o, config, log, store);
    log.info(`Starting logjail ${VERSION} with the configuration in ${config.baseDir}`);
    if (store === null) log.warn('no database (dbfile = None): bans are not kept across restarts');
    if (store?.movedFrom) log.notice(`dbfile ${store.movedFrom} is fail2ban's database; logjail keeps its own beside it: ${store.path}`);
    d.writePid();
    await d.startJails();
    d.timer = setInterval(() => d.tick(), o.tickMs ?? 1000);
    log.info(`Server ready (${d.jailsByName.size} jail(s))`);
    return d;
  }

  private writePid(): void {
    if (this.pidfile === '' || this.pidfile === 'None') return;
    try {
      mkdirSync(dirname(this.pidfile), { recursive: true, mode: 0o755 });
      writeFileSync(this.pidfile, `${process.pid}\n`);
    } catch (e) {
      this.log.warn(`cannot write the pid file ${this.pidfile}: ${(e as Error).message}`);
    }
  }

  private async startJails(only: string | null = null): Promise<void> {
    for (const entry of this.config.jails) {
      if (!entry.enabled || (only !== null && entry.name !== only)) continue;
      if (entry.error !== undefined || entry.config === undefined) {
        this.log.error(`Errors in jail '${entry.name}'. Skipping: ${entry.error?.message ?? 'not configured'}`);
        continue;
      }
      try {
        const rt = new JailRuntime(entry.config, {
          store: this.store, log: this.log, clock: this.clock,
          ...(this.o.actionEnv !== undefined ? { actionEnv: this.o.actionEnv } : {}),
          ...(this.o.pollInterval !== undefined ? { pollInterval: this.o.pollInterval } : {}),
          ...(this.o.resolve !== undefined ? { resolve: this.o.resolve } : {}),
        });
        this.jailsByName.set(entry.name, rt);
        await rt.start();
      } catch (e) {
        this.jailsByName.delete(entry.name);
        this.log.error(`Errors in jail '${entry.name}'. Skipping: ${(e as Error).message}`);
      }
    }
  }

  /** Periodic work: bans that ended, positions, purge. */
  tick(): void {
    for (const rt of this.jailsByName.values()) {
      try { rt.tick(); } catch (e) { this.log.error(`[${rt.name}] ${(e as Error).message}`); }
    }
    const now = Date.now();
    if (now - this.lastPositions >= POSITIONS_EVERY) {
      this.lastPositions = now;
      for (const rt of this.jailsByName.values()) rt.savePositions();
    }
    if (this.store !== null && now - this.lastPurge >= PURGE_EVERY) {
      if (this.lastPurge !== 0) {
        const n = this.store.purge(this.clock(), this.config.server.dbpurgeage);
        if (n > 0) this.log.info(`purged ${n} old record(s) from the database`);
      }
      this.lastPurge = now;
    }
  }

  private rt(jail: string): JailRuntime {
    const rt = this.jailsByName.get(jail);
    if (rt === undefined) throw new LogjailError('JAIL_UNKNOWN', `there is no jail "${jail}" running`, {}, `running jails: ${[...this.jailsByName.keys()].join(', ') || 'none'}`);
    return rt;
  }

  // ---- Controller ----

  jails(): readonly string[] {
    return [...this.jailsByName.keys()];
  }

  status(jail: string): JailStatus {
    const rt = this.rt(jail);
    return {
      name: jail,
      filter: { currentlyFailed: rt.jail.failures.size, totalFailed: rt.jail.failures.total, files: rt.fileList },
      actions: { currentlyBanned: rt.jail.bans.size, totalBanned: rt.jail.bans.total, banned: rt.jail.bans.list().map((b) => b.ip) },
    };
  }

  async ban(jail: string, ips: readonly string[]): Promise<number> {
    const rt = this.rt(jail);
    let n = 0;
    for (const ip of ips) {
      const id = ipAddr(ip, 'unspec');
      if (id.family === null) throw new LogjailError('USAGE', `"${ip}" is not an IP address or network`);
      if (rt.jail.banNow(id.text)) n++;
    }
    return n;
  }

  async unban(jail: string | null, ips: readonly string[]): Promise<number> {
    const list = jail === null ? [...this.jailsByName.values()] : [this.rt(jail)];
    let n = 0;
    for (const ip of ips) for (const rt of list) if (rt.jail.unban(ip)) n++;
    return n;
  }

  async unbanAll(jail: string | null): Promise<number> {
    const list = jail === null ? [...this.jailsByName.values()] : [this.rt(jail)];
    let n = 0;
    for (const rt of list) n += rt.jail.unbanAll();
    return n;
  }

  banned(jail: string | null): readonly BannedEntry[] {
    const list = jail === null ? [...this.jailsByName.values()] : [this.rt(jail)];
    return list.flatMap((rt) => rt.jail.bans.list().map((b) => ({
      jail: rt.name, ip: b.ip, since: b.time, until: Number.isFinite(banEnd(b)) ? banEnd(b) : null, count: b.count,
    })));
  }

  async reload(jail: string | null): Promise<void> {
    const config = loadConfig(this.o.configDir);
    this.config = config;
    this.log.info(`Reloading ${jail === null ? 'all jails' : `jail ${jail}`}`);
    const names = jail === null ? [...this.jailsByName.keys()] : [jail];
    for (const name of names) {
      const rt = this.jailsByName.get(name);
      if (rt !== undefined) {
        await rt.stop();
        this.jailsByName.delete(name);
      }
    }
    await this.startJails(jail);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.log.info('Shutdown in progress...');
    if (this.timer !== null) clearInterval(this.timer);
    for (const rt of [...this.jailsByName.values()].reverse()) {
      try { await rt.stop(); } catch (e) { this.log.error(`[${rt.name}] stopping: ${(e as Error).message}`); }
    }
    this.jailsByName.clear();
    this.store?.close();
    if (this.pidfile !== '' && this.pidfile !== 'None') rmSync(this.pidfile, { force: true });
    this.log.info('Shutdown successful');
    this.log.close();
    this.onStopped?.();
  }

  get(jail: string, setting: JailSetting): unknown {
    const rt = this.rt(jail);
    const c = rt.cfg;
    switch (setting) {
      case 'maxretry': return rt.jail.failures.maxRetry;
      case 'findtime': return rt.jail.failures.findTime;
      case 'bantime': return rt.jail.banTime.banTime;
      case 'maxmatches': return rt.jail.failures.maxMatches;
      case 'maxlines': return c.filter?.maxlines ?? 1;
      case 'usedns': return c.useDns;
      case 'ignoreip': return c.ignoreIp;
      case 'ignoreself': return c.ignoreSelf;
      case 'ignorecommand': return c.ignoreCommand ?? '';
      case 'logpath': return rt.fileList;
      case 'failregex': return rt.filter.def.failRegex.map((r) => r.expanded);
      case 'ignoreregex': return rt.filter.def.ignoreRegex.map((r) => r.expanded);
      case 'prefregex': return rt.filter.def.prefRegex?.expanded ?? '';
      case 'datepattern': return c.filter?.datepattern ?? '';
      case 'logtimezone': return c.logTimezone ?? '';
      case 'journalmatch': return c.filter?.journalmatch.map((m) => m.join(' ')) ?? [];
      case 'actions': return rt.actions.actions.map((a) => a.name);
      case 'banned': return rt.jail.bans.list().map((b) => b.ip);
      case 'idle': return false;
      default: throw new LogjailError('USAGE', `unknown setting "${String(setting)}"`);
    }
  }

  async set(jail: string, setting: JailSetting, value: string): Promise<unknown> {
    const rt = this.rt(jail);
    const num = (): number => {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new LogjailError('CONFIG_VALUE', `${setting} needs a number, got "${value}"`, { key: setting });
      return n;
    };
    switch (setting) {
      case 'maxretry': rt.jail.failures.maxRetry = num(); return rt.jail.failures.maxRetry;
      case 'findtime': rt.jail.failures.findTime = num(); return rt.jail.failures.findTime;
      case 'maxmatches': rt.jail.failures.maxMatches = num(); return rt.jail.failures.maxMatches;
      case 'bantime': {
        const t = parseDuration(value, { key: 'bantime' });
        rt.jail.banTime = new BanTime(t, rt.cfg.banTimeIncrement, rt.cfg.place);
        return t;
      }
      default: throw new LogjailError('CONFIG_VALUE', `${setting} cannot be changed at run time`, { key: setting }, 'change the configuration and run "logjail reload"');
    }
  }

  version(): string {
    return VERSION;
  }
}
