/**
 * Runs the shell commands of action.d files: `/bin/sh -c SCRIPT logjail VALUE...`, where the
 * values are the log-derived tag values the script reads as `$1`, `$2`... (see dynamicTags.ts).
 *
 * One queue for all actions of all jails: like fail2ban, which holds one lock around every
 * command it runs, logjail runs one action command at a time. Actions written for fail2ban
 * rely on it (iptables without -w, scripts that read-modify-write a file such as hosts.deny),
 * and it keeps a burst of bans from forking hundreds of shells at once. Waiting for the queue
 * never blocks the event loop: log reading goes on while commands run.
 *
 * A command prefix (e.g. `['ip', 'netns', 'exec', NS]`) runs every command elsewhere; tests use
 * it to keep firewall commands inside a network namespace.
 */
import { LogjailError } from '../errors.js';
import { REAL_TIMERS, runProcess, type ProcessResult, type Timers } from './process.js';
import { SerialQueue } from './serialQueue.js';
import { SILENT_LOG, type ActionLog } from './types.js';

/** A script and the values it receives as positional parameters $1, $2... */
export interface ShellCommand {
  readonly script: string;
  readonly args: readonly string[];
}

export interface RunnerOptions {
  /** Prepended to every command line, e.g. ['ip', 'netns', 'exec', 'lj-test']. */
  readonly prefix?: readonly string[];
  /** Default /bin/sh. */
  readonly shell?: string;
  /** Default: the process-wide queue shared by all runners. */
  readonly queue?: SerialQueue;
  readonly timers?: Timers;
  /** Milliseconds between SIGTERM and SIGKILL when a command times out (default 500). */
  readonly killGraceMs?: number;
  readonly log?: ActionLog;
}

/** The queue every runner uses unless told otherwise: one command at a time in the whole process. */
export const SHARED_COMMAND_QUEUE = new SerialQueue();

/** What $0 is in action scripts (error messages of the shell start with it). */
const SCRIPT_NAME = 'logjail-action';

const HINTS: Readonly<Record<number, string>> = {
  126: 'the command was found but could not be run (permissions?)',
  127: 'a command of the action was not found: check that the program is installed and in PATH',
};

export class CommandRunner {
  readonly prefix: readonly string[];
  private readonly shell: string;
  private readonly queue: SerialQueue;
  private readonly timers: Timers;
  private readonly killGraceMs: number;
  private readonly log: ActionLog;

  constructor(opts: RunnerOptions = {}) {
    this.prefix = opts.prefix ?? [];
    this.shell = opts.shell ?? '/bin/sh';
    this.queue = opts.queue ?? SHARED_COMMAND_QUEUE;
    this.timers = opts.timers ?? REAL_TIMERS;
    this.killGraceMs = opts.killGraceMs ?? 500;
    this.log = opts.log ?? SILENT_LOG;
  }

  /** The argument vector a command runs as (for logs and tests). */
  argv(cmd: ShellCommand): string[] {
    return [...this.prefix, this.shell, '-c', cmd.script, SCRIPT_NAME, ...cmd.args];
  }

  /**
   * Run a shell command through the shared queue, stopped after `timeoutSeconds`. Failures are
   * logged (command, status, output) and returned, never thrown.
   */
  run(cmd: ShellCommand, timeoutSeconds: number, label = ''): Promise<ProcessResult> {
    if (cmd.script === '') return Promise.resolve(NOTHING);
    return this.queue.run(async () => {
      const argv = this.argv(cmd);
      const r = await runProcess(argv, { timeoutMs: timeoutSeconds * 1000, timers: this.timers, killGraceMs: this.killGraceMs });
      this.report(label, cmd, r, timeoutSeconds);
      return r;
    });
  }

  private report(label: string, cmd: ShellCommand, r: ProcessResult, timeoutSeconds: number): void {
    const what = `${label ? label + ': ' : ''}${JSON.stringify(cmd.script)}` +
      (cmd.args.length > 0 ? ` with values ${JSON.stringify(cmd.args)}` : '');
    if (r.ok) {
      this.log.debug(`${what} succeeded`);
      return;
    }
    const error = r.timedOut
      ? new LogjailError('ACTION_TIMEOUT', `${what} still ran after ${timeoutSeconds} s; stopped with SIGTERM, then SIGKILL`)
      : new LogjailError('ACTION_COMMAND_FAILED', `${what} ${r.spawnError !== undefined ? 'could not start: ' + r.spawnError
        : r.signal !== null ? 'was killed by ' + r.signal : 'returned ' + r.code}`);
    this.log.error(error.message);
    for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      for (const line of text.split('\n')) if (line !== '') this.log.error(`  ${name}: ${line}`);
    }
    const hint = r.code !== null ? HINTS[r.code] : undefined;
    if (hint !== undefined) this.log.info(`hint on exit status ${r.code}: ${hint}`);
  }
}

const NOTHING: ProcessResult = Object.freeze({ ok: true, code: 0, signal: null, timedOut: false, stdout: '', stderr: '' });
