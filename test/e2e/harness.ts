/**
 * Running the real daemon for end-to-end tests: a copy of a configuration tree (Debian's
 * /etc/fail2ban or logjail's bundled one) with the test's own files added, the daemon started
 * inside a network namespace made for the test (its firewall commands land there, never on the
 * host), helpers to write log lines and to look at the namespace's firewall.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Namespace, haveProgram, namespacesAvailable } from '../actions/helpers.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'logjail');

export function e2eUsable(needs: readonly string[] = ['iptables', 'nft']): boolean {
  return namespacesAvailable() && needs.every(haveProgram);
}

export function syslogDate(d = new Date()): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export async function waitFor(what: string, ms: number, ok: () => boolean, context: () => string = () => ''): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}\n${context()}`);
}

export interface TreeOptions {
  /** Configuration to copy: '/etc/fail2ban' or the bundled config. */
  readonly base: string;
  /** Files to add, path relative to the tree → content. "{dir}" is replaced by the test folder. */
  readonly files: Readonly<Record<string, string>>;
}

export class Setup {
  readonly ns = new Namespace();
  readonly dir = mkdtempSync(join(tmpdir(), 'logjail-e2e-'));
  readonly cfg = join(this.dir, 'config');
  daemon: ChildProcess | null = null;
  private output = '';

  constructor(t: TreeOptions) {
    cpSync(t.base, this.cfg, { recursive: true });
    for (const [rel, content] of Object.entries(t.files)) {
      const p = join(this.cfg, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content.replaceAll('{dir}', this.dir));
    }
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  out(): string {
    return this.output;
  }

  /** Start the daemon in the namespace and wait until it is ready. */
  async start(extra: readonly string[] = []): Promise<void> {
    const args = [...this.ns.prefix.slice(1), process.execPath, BIN, 'server', '-c', this.cfg,
      '--socket', this.path('sock'), '--db', this.path('db.sqlite3'), '--pidfile', this.path('pid'),
      '--logtarget', 'STDERR', '--loglevel', 'INFO', ...extra];
    const d = spawn(this.ns.prefix[0]!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = d;
    const mark = this.output.length;
    d.stdout!.on('data', (b: Buffer) => { this.output += b.toString(); });
    d.stderr!.on('data', (b: Buffer) => { this.output += b.toString(); });
    await waitFor('the daemon to be ready', 30_000, () => this.output.indexOf('Server ready', mark) >= 0 || d.exitCode !== null, () => this.output);
    if (d.exitCode !== null) throw new Error(`the daemon exited with ${d.exitCode}\n${this.output}`);
  }

  /** Stop the daemon with a signal and wait for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const d = this.daemon;
    if (d === null) return;
    if (d.exitCode === null && d.signalCode === null) {
      const exited = new Promise((r) => d.once('exit', r));
      d.kill(signal);
      await exited;
    }
    this.daemon = null;
  }

  /** A logjail client command inside the namespace. */
  client(...args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync(this.ns.prefix[0]!, [...this.ns.prefix.slice(1), process.execPath, BIN, '--socket', this.path('sock'), ...args], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  append(file: string, lines: readonly string[]): void {
    appendFileSync(this.path(file), lines.map((l) => l + '\n').join(''));
  }

  /** IPv4 sources of the DROP/REJECT rules of a chain (iptables). */
  iptablesSources(chain = 'INPUT'): string[] {
    return (this.ns.tryExec('iptables', '-w', '-S', chain) ?? '').split('\n')
      .map((l) => /-s (\S+?)(?:\/32)? .*-j (?:DROP|REJECT)/.exec(l)?.[1]).filter((x): x is string => x !== undefined).sort();
  }

  /** Elements of an nftables set (empty when the set does not exist). */
  nftElements(family: string, table: string, set: string): string[] {
    const text = this.ns.tryExec('nft', 'list', 'set', family, table, set) ?? '';
    const m = /elements = \{([^}]*)\}/.exec(text.replace(/\n/g, ' '));
    if (m === null) return [];
    return m[1]!.split(',').map((e) => e.trim().split(' ')[0]!).filter((e) => e !== '').sort();
  }

  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    this.ns.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const STOCK = '/etc/fail2ban';
export const stockInstalled = existsSync(join(STOCK, 'jail.conf'));
