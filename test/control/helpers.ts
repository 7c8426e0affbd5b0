/**
 * Helpers for the control tests: a fake Controller with jails and bans in memory that records
 * every call, a started ControlServer in a fresh folder, and a raw client that sends any bytes
 * and collects the answer lines.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogjailError } from '../../src/errors.js';
import type { BannedEntry, Controller, JailSetting, JailStatus } from '../../src/control/controller.js';
import { ControlServer, type ControlLog, type ControlServerOptions } from '../../src/control/server.js';

export const T0 = 1_790_000_000;

export class FakeController implements Controller {
  readonly calls: string[] = [];
  readonly bans: BannedEntry[] = [
    { jail: 'sshd', ip: '192.0.2.7', since: T0, until: T0 + 600, count: 1 },
    { jail: 'sshd', ip: '203.0.113.9', since: T0 - 100, until: T0 + 300, count: 2 },
    { jail: 'postfix', ip: '198.51.100.4', since: T0 - 50, until: null, count: 3 },
  ];
  readonly settings = new Map<string, unknown>([
    ['maxretry', 5], ['findtime', 600], ['bantime', 3600], ['ignoreself', true], ['ignorecommand', ''],
    ['ignoreip', ['127.0.0.1/8', '::1']], ['failregex', ['^Failed password for .* from <HOST>$', '^Invalid user \\S+ from <HOST>$']],
    ['logpath', ['/var/log/auth.log']], ['actions', ['iptables-multiport', 'sendmail']], ['journalmatch', []],
    ['datepattern', ''], ['usedns', 'warn'],
  ]);
  /** Called at the start of every async call: a test can make the daemon slow or broken. */
  delay: (() => Promise<void>) | null = null;
  stopped = false;

  constructor(readonly jailNames: string[] = ['sshd', 'postfix']) {}

  private async wait(): Promise<void> {
    if (this.delay !== null) await this.delay();
  }

  private known(jail: string): void {
    if (!this.jailNames.includes(jail)) throw new LogjailError('JAIL_UNKNOWN', `there is no jail "${jail}" running`);
  }

  jails(): readonly string[] {
    this.calls.push('jails');
    return this.jailNames;
  }

  status(jail: string): JailStatus {
    this.calls.push(`status ${jail}`);
    this.known(jail);
    const banned = this.bans.filter((b) => b.jail === jail).map((b) => b.ip);
    return {
      name: jail,
      filter: {
        currentlyFailed: 1, totalFailed: 4,
        files: jail === 'sshd' ? ['/var/log/auth.log', '/var/log/auth.log.1'] : [],
        ...(jail === 'postfix' ? { journalMatches: ['_SYSTEMD_UNIT=postfix.service', '_COMM=smtpd'] } : {}),
      },
      actions: { currentlyBanned: banned.length, totalBanned: banned.length + 1, banned },
    };
  }

  async ban(jail: string, ips: readonly string[]): Promise<number> {
    await this.wait();
    this.calls.push(`ban ${jail} ${ips.join(' ')}`);
    this.known(jail);
    let n = 0;
    for (const ip of ips) {
      if (ip === 'bad') throw new LogjailError('USAGE', `"${ip}" is not an IP address or network`);
      if (this.bans.some((b) => b.jail === jail && b.ip === ip)) continue;
      this.bans.push({ jail, ip, since: T0, until: T0 + 3600, count: 1 });
      n++;
    }
    return n;
  }

  async unban(jail: string | null, ips: readonly string[]): Promise<number> {
    await this.wait();
    this.calls.push(`unban ${jail ?? '*'} ${ips.join(' ')}`);
    let n = 0;
    for (let i = this.bans.length - 1; i >= 0; i--) {
      const b = this.bans[i]!;
      if ((jail === null || b.jail === jail) && ips.includes(b.ip)) {
        this.bans.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  async unbanAll(jail: string | null): Promise<number> {
    await this.wait();
    this.calls.push(`unbanAll ${jail ?? '*'}`);
    const before = this.bans.length;
    for (let i = this.bans.length - 1; i >= 0; i--) if (jail === null || this.bans[i]!.jail === jail) this.bans.splice(i, 1);
    return before - this.bans.length;
  }

  banned(jail: string | null): readonly BannedEntry[] {
    this.calls.push(`banned ${jail ?? '*'}`);
    return this.bans.filter((b) => jail === null || b.jail === jail);
  }

  async reload(jail: string | null): Promise<void> {
    await this.wait();
    this.calls.push(`reload ${jail ?? '*'}`);
    if (jail === 'broken') {
      throw new LogjailError('CONFIG_DURATION', '"3 fortnights" is not a duration', { file: '/etc/fail2ban/jail.local', line: 12, section: 'broken', key: 'bantime' });
    }
  }

  async stop(): Promise<void> {
    await this.wait();
    this.calls.push('stop');
    this.stopped = true;
  }

  get(jail: string, setting: JailSetting): unknown {
    this.calls.push(`get ${jail} ${setting}`);
    this.known(jail);
    if (setting === 'idle') throw new TypeError('idle is broken in this fake');
    return this.settings.get(setting) ?? null;
  }

  async set(jail: string, setting: JailSetting, value: string): Promise<unknown> {
    await this.wait();
    this.calls.push(`set ${jail} ${setting} ${value}`);
    this.known(jail);
    if (setting === 'maxretry' || setting === 'bantime' || setting === 'findtime') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new LogjailError('CONFIG_VALUE', `${setting} needs a number, got "${value}"`);
      this.settings.set(setting, n);
      return n;
    }
    if (setting === 'ignoreip') {
      const list = [...(this.settings.get('ignoreip') as string[]), value];
      this.settings.set('ignoreip', list);
      return list;
    }
    throw new LogjailError('USAGE', `${setting} cannot be changed at run time`);
  }

  version(): string {
    return '0.1.0-test';
  }
}

/** A log that keeps its lines. */
export class MemoryLog implements ControlLog {
  readonly lines: string[] = [];
  info(m: string): void { this.lines.push(`INFO ${m}`); }
  warn(m: string): void { this.lines.push(`WARN ${m}`); }
  error(m: string): void { this.lines.push(`ERROR ${m}`); }
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lj-ctl-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Running {
  readonly server: ControlServer;
  readonly controller: FakeController;
  readonly log: MemoryLog;
  readonly socket: string;
  readonly dir: string;
  /** Close the server and remove the folder. */
  done(): Promise<void>;
}

export async function startServer(options: Omit<ControlServerOptions, 'path' | 'log'> = {}, controller = new FakeController()): Promise<Running> {
  const t = tempDir();
  const socket = path.join(t.dir, 'run', 'logjail.sock');
  const log = new MemoryLog();
  const server = new ControlServer(controller, { ...options, path: socket, log });
  await server.listen();
  return {
    server, controller, log, socket, dir: t.dir,
    done: async () => {
      await server.close();
      t.remove();
    },
  };
}

export interface Exchange {
  /** Answer lines, parsed. */
  readonly answers: Record<string, unknown>[];
  /** Whether the server closed the connection. */
  readonly closedByServer: boolean;
}

/**
 * Connect, write `data` (all at once, or piece by piece), and collect answers until `count`
 * have arrived or the server closes the connection.
 */
export function exchange(socketPath: string, data: string | Buffer | readonly (string | Buffer)[], count: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    const answers: Record<string, unknown>[] = [];
    let buf = '';
    let finished = false;
    const finish = (closedByServer: boolean): void => {
      if (finished) return;
      finished = true;
      s.destroy();
      resolve({ answers, closedByServer });
    };
    s.on('connect', () => {
      const parts = Array.isArray(data) ? data : [data];
      for (const p of parts) s.write(p);
    });
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        answers.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
        if (answers.length === count) finish(false);
      }
    });
    s.on('end', () => finish(true));
    s.on('error', (e: NodeJS.ErrnoException) => {
      // the server may close while we are still writing a flood: that is an answer too
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') finish(true);
      else if (!finished) reject(e);
    });
  });
}

export function request(id: number, ...cmd: string[]): string {
  return JSON.stringify({ id, cmd }) + '\n';
}

/** One command on a fresh connection; the single answer. */
export async function ask(socketPath: string, ...cmd: string[]): Promise<Record<string, unknown>> {
  const r = await exchange(socketPath, request(1, ...cmd), 1);
  if (r.answers.length !== 1) throw new Error(`no answer to ${cmd.join(' ')}`);
  return r.answers[0]!;
}
