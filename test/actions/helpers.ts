/**
 * Helpers for the action tests: temporary folders, actions read from a small action.d file,
 * bans, a log that records, timers fired by hand, and network namespaces that keep every
 * firewall command of a test away from the host's firewall.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAction } from '../../src/config/actionReader.js';
import type { ActionDefinition } from '../../src/config/types.js';
import type { Timers } from '../../src/actions/process.js';
import type { ActionLog, Ban } from '../../src/actions/types.js';

export function tempDir(): { dir: string; file(name: string): string; read(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logjail-actions-'));
  return {
    dir,
    file: (name) => path.join(dir, name),
    read: (name) => {
      try {
        return fs.readFileSync(path.join(dir, name), 'utf8');
      } catch {
        return '';
      }
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Read action `name` from an action.d folder made of `files` ({"x.conf": text}) for jail `jail`. */
export function actionFrom(files: Readonly<Record<string, string>>, name: string,
  params: Readonly<Record<string, string>> = {}, jail = 'test'): ActionDefinition {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logjail-actiond-'));
  try {
    fs.mkdirSync(path.join(dir, 'action.d'));
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'action.d', f), text);
    return readAction(dir, name, params, { name: jail });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

let banTime = 1_700_000_000;

/** A ban with plausible defaults. */
export function makeBan(over: Partial<Ban> & { ip: string }): Ban {
  const family = over.family !== undefined ? over.family : over.ip.includes(':') ? 'inet6' : /^\d+\.\d+\.\d+\.\d+/.test(over.ip) ? 'inet4' : null;
  return {
    jail: 'test', id: over.ip, time: banTime++, banTime: 600, banCount: 1, failures: 3,
    matches: [], data: {}, restored: false,
    ...over,
    family,
  };
}

/** A log that keeps every message. */
export class RecordingLog implements ActionLog {
  readonly messages: string[] = [];
  error(m: string): void { this.messages.push('ERROR ' + m); }
  warn(m: string): void { this.messages.push('WARN ' + m); }
  notice(m: string): void { this.messages.push('NOTICE ' + m); }
  info(m: string): void { this.messages.push('INFO ' + m); }
  debug(m: string): void { this.messages.push('DEBUG ' + m); }
  has(re: RegExp): boolean { return this.messages.some((m) => re.test(m)); }
}

/** Timers that fire only when told: `fireNext()` runs the earliest pending one. */
export class ManualTimers implements Timers {
  private seq = 0;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  /** Fire the oldest pending timer; returns its delay, or undefined when none is pending. */
  fireNext(): number | undefined {
    const first = this.pending.entries().next();
    if (first.done === true) return undefined;
    const [id, t] = first.value;
    this.pending.delete(id);
    t.fn();
    return t.ms;
  }
}

/** Resolves when `cond()` holds, checking at each turn of the event loop (no fixed sleep). */
export async function until(cond: () => boolean, what: string, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}

// ---- network namespaces ----

/** Whether this process may create network namespaces and has nft (root with iproute2 and nftables). */
export function namespacesAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function haveProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh network namespace `lj-test-<random>`, deleted by `remove()`. */
export class Namespace {
  readonly name = 'lj-test-' + randomBytes(4).toString('hex');
  readonly prefix: readonly string[];

  constructor() {
    execFileSync('ip', ['netns', 'add', this.name]);
    this.prefix = ['ip', 'netns', 'exec', this.name];
    this.exec('ip', 'link', 'set', 'lo', 'up');
  }

  /** Run a program inside the namespace; its stdout. Throws on failure. */
  exec(...argv: string[]): string {
    return execFileSync(this.prefix[0]!, [...this.prefix.slice(1), ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Like exec, but returns null instead of throwing. */
  tryExec(...argv: string[]): string | null {
    try {
      return this.exec(...argv);
    } catch {
      return null;
    }
  }

  /** The namespace's whole nftables ruleset as text (iptables-nft rules show here too). */
  ruleset(): string {
    return this.exec('nft', 'list', 'ruleset');
  }

  remove(): void {
    try {
      execFileSync('ip', ['netns', 'delete', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
