/**
 * Running one child process for an action: argument arrays only (the caller decides whether a
 * shell is among them), optional text on stdin, a time limit, and a result that never throws.
 *
 * The child leads its own process group (like fail2ban's `setsid`), so that a command that
 * times out is stopped with everything it started: SIGTERM to the group, then SIGKILL to the
 * group after a grace period (always, as fail2ban does, since the leader may have exited while
 * its children live on). Completion is the child's exit: a command that leaves a background
 * process holding its output open does not hold up the queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Timers the time limit uses; tests inject their own to fire a timeout without waiting. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RunOptions {
  /** Milliseconds before the command is stopped. */
  readonly timeoutMs: number;
  /** Milliseconds between SIGTERM and SIGKILL (default 500). */
  readonly killGraceMs?: number;
  readonly stdin?: string;
  readonly timers?: Timers;
  /** Bytes of stdout and of stderr kept (default 64 KiB each); the rest is counted, not kept. */
  readonly maxOutput?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ProcessResult {
  /** Exit status 0, in time. */
  readonly ok: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Why the process could not be started (ENOENT...), if so. */
  readonly spawnError?: string;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;
/** Output still in the pipes when the child exits is read for this long (real time). */
const DRAIN_MS = 100;

/** Run argv[0] with the other arguments. Resolves when the child has exited (or could not start). */
export function runProcess(argv: readonly string[], opts: RunOptions): Promise<ProcessResult> {
  const timers = opts.timers ?? REAL_TIMERS;
  const maxOutput = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
  return new Promise<ProcessResult>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        detached: true,
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
      });
    } catch (e) {
      resolve(failed(e));
      return;
    }
    const out = new Capture(maxOutput);
    const err = new Capture(maxOutput);
    child.stdout!.on('data', (b: Buffer) => out.add(b));
    child.stderr!.on('data', (b: Buffer) => err.add(b));
    let timedOut = false;
    let killTimer: unknown;
    let done = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

    const finish = (spawnError?: string): void => {
      if (done) return;
      done = true;
      timers.clearTimeout(limit);
      // the SIGKILL of a timed-out group stays scheduled: grandchildren may outlive the leader
      if (!timedOut && killTimer !== undefined) timers.clearTimeout(killTimer);
      child.stdout!.destroy();
      child.stderr!.destroy();
      const code = exit?.code ?? null;
      const signal = exit?.signal ?? null;
      resolve({
        ok: spawnError === undefined && !timedOut && code === 0,
        code, signal, timedOut,
        stdout: out.text(), stderr: err.text(),
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    };

    const limit = timers.setTimeout(() => {
      if (done || child.pid === undefined) return;
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      const pid = child.pid;
      killTimer = timers.setTimeout(() => killGroup(pid, 'SIGKILL'), opts.killGraceMs ?? 500);
    }, opts.timeoutMs);

    child.on('error', (e) => {
      // spawn failure (no such program); 'exit' may not follow
      if (exit === null) finish(e.message);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      const t = setTimeout(() => finish(), DRAIN_MS);
      t.unref();
    });
    child.on('close', () => finish());

    if (opts.stdin !== undefined) {
      const input = child.stdin!;
      input.on('error', () => { /* the child stopped reading (EPIPE): its exit status tells */ });
      input.end(opts.stdin);
    }
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is gone already
  }
}

function failed(e: unknown): ProcessResult {
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, code: null, signal: null, timedOut: false, stdout: '', stderr: '', spawnError: message };
}

/** Keeps the first `max` bytes of a stream. */
class Capture {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  constructor(private readonly max: number) {}

  add(b: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) { this.dropped += b.length; return; }
    const kept = b.length <= room ? b : b.subarray(0, room);
    this.parts.push(kept);
    this.size += kept.length;
    this.dropped += b.length - kept.length;
  }

  text(): string {
    const s = Buffer.concat(this.parts).toString('utf8');
    return this.dropped > 0 ? `${s}\n[${this.dropped} more bytes not kept]` : s;
  }
}
