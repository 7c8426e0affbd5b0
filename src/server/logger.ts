/**
 * The daemon's log: lines an admin can grep (`[sshd] Ban 192.0.2.1`), to `logtarget` (STDOUT,
 * STDERR, SYSLOG, or a file), filtered by `loglevel` (CRITICAL … DEBUG or a number, like
 * fail2ban). A file target is reopened on reopen() (SIGUSR1 / `flushlogs`, after logrotate).
 * SYSLOG goes through the system's `logger` program (a long-lived child, lines on its stdin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogjailError } from '../errors.js';

export const LEVELS: Readonly<Record<string, number>> = Object.freeze({
  CRITICAL: 50, ERROR: 40, WARNING: 30, NOTICE: 25, INFO: 20, DEBUG: 10, TRACEDEBUG: 7, HEAVYDEBUG: 5,
});

export type Level = 'critical' | 'error' | 'warning' | 'notice' | 'info' | 'debug';
const LEVEL_OF: Readonly<Record<Level, number>> = { critical: 50, error: 40, warning: 30, notice: 25, info: 20, debug: 10 };

export function parseLevel(v: string): number {
  const t = v.trim().toUpperCase();
  if (LEVELS[t] !== undefined) return LEVELS[t]!;
  const n = Number(t);
  if (Number.isInteger(n) && n >= 0 && n <= 50) return n;
  throw new LogjailError('CONFIG_VALUE', `loglevel "${v}" is not a level`, { key: 'loglevel' },
    'use CRITICAL, ERROR, WARNING, NOTICE, INFO or DEBUG');
}

function stamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

export class Logger {
  private level: number;
  private fd = -1;
  private syslog: ChildProcess | null = null;
  private readonly target: string;
  /** Lines written, by level name (for status and tests). */
  readonly counts = new Map<Level, number>();
  /** Also hand each line to this (tests, and the daemon's own recent-lines buffer). */
  tap: ((level: Level, line: string) => void) | null = null;

  constructor(target: string, level: string | number) {
    this.target = target.trim();
    this.level = typeof level === 'number' ? level : parseLevel(level);
    this.open();
  }

  private open(): void {
    const t = this.target.toUpperCase();
    if (t === 'STDOUT' || t === 'SYSOUT') this.fd = 1;
    else if (t === 'STDERR') this.fd = 2;
    else if (t.startsWith('SYSLOG') || t === 'SYSTEMD-JOURNAL') {
      this.syslog = spawn('logger', ['-t', 'logjail', '--id=' + process.pid], { stdio: ['pipe', 'ignore', 'ignore'] });
      this.syslog.on('error', () => { this.syslog = null; this.fd = 2; });
    } else {
      try {
        mkdirSync(dirname(this.target), { recursive: true });
        this.fd = openSync(this.target, 'a', 0o640);
      } catch (e) {
        throw new LogjailError('CONFIG_VALUE', `cannot write the log file ${this.target}: ${(e as Error).message}`, { key: 'logtarget' },
          'use STDERR, STDOUT, SYSLOG or a writable file path');
      }
    }
  }

  setLevel(level: string | number): void {
    this.level = typeof level === 'number' ? level : parseLevel(level);
  }

  /** Reopen the file (after logrotate moved it away). */
  reopen(): void {
    if (this.fd > 2) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.open();
    }
  }

  enabled(level: Level): boolean {
    return LEVEL_OF[level] >= this.level;
  }

  write(level: Level, message: string): void {
    if (LEVEL_OF[level] < this.level) return;
    this.counts.set(level, (this.counts.get(level) ?? 0) + 1);
    // one line per message: a log value must not be able to forge a second log line
    const text = message.replace(/[\r\n]+/g, ' | ');
    const name = level.toUpperCase().padEnd(7);
    if (this.syslog !== null && this.syslog.stdin !== null) {
      this.syslog.stdin.write(`${name} ${text}\n`);
    } else {
      const line = `${stamp(new Date())} logjail[${process.pid}]: ${name} ${text}\n`;
      try { writeSync(this.fd, line); } catch { /* a log that cannot be written must not stop the daemon */ }
    }
    this.tap?.(level, text);
  }

  critical(m: string): void { this.write('critical', m); }
  error(m: string): void { this.write('error', m); }
  warn(m: string): void { this.write('warning', m); }
  notice(m: string): void { this.write('notice', m); }
  info(m: string): void { this.write('info', m); }
  debug(m: string): void { this.write('debug', m); }

  close(): void {
    if (this.fd > 2) {
      try { closeSync(this.fd); } catch { /* already closed */ }
    }
    this.syslog?.stdin?.end();
    this.syslog = null;
  }
}
