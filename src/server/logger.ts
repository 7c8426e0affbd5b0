/**
 * The daemon's log: lines an admin can grep (`[sshd] Ban 192.0.2.1`), to `logtarget` (STDOUT,
 * STDERR, SYSLOG, or a file), filtered by `loglevel` (CRITICAL … DEBUG or a number, like
 * fail2ban). A file target is reopened on reopen() (SIGUSR1 / `flushlogs`, after logrotate).
 * SYSLOG goes through the system's `logger` program (a long-lived child, lines on its stdin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { writeAllSync, writeSome } from '../util/writeAll.js';
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

/** At most this many bytes of log lines wait for a slow reader; more are counted as lost. */
const MAX_BACKLOG = 4 << 20;

export class Logger {
  private level: number;
  private fd = -1;
  private syslog: ChildProcess | null = null;
  private readonly target: string;
  /** Lines written, by level name (for status and tests). */
  readonly counts = new Map<Level, number>();
  /** Also hand each line to this (tests, and the daemon's own recent-lines buffer). */
  tap: ((level: Level, line: string) => void) | null = null;
  /** Lines the target did not take yet (a slow reader), oldest first. */
  private backlog: Buffer[] = [];
  private backlogBytes = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  /** Lines dropped since the last report (the backlog was full, or the target failed). */
  private lost = 0;

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
      this.emit(line);
    }
    this.tap?.(level, text);
  }

  /**
   * Write a line now if the target takes it, else keep it (in order) and try again shortly: a
   * slow reader of stdout (journald, a pipe) must never block the daemon.
   */
  private emit(line: string): void {
    if (this.backlog.length > 0) {
      if (this.backlogBytes < MAX_BACKLOG) {
        this.backlog.push(Buffer.from(line, 'utf8'));
        this.backlogBytes += line.length;
      } else this.lost++;
      return;
    }
    const buf = Buffer.from(line, 'utf8');
    let n: number;
    try { n = writeSome(this.fd, buf); } catch { this.lost++; return; }
    if (n < buf.length) {
      this.backlog.push(buf.subarray(n));
      this.backlogBytes += buf.length - n;
      this.scheduleDrain();
    }
  }

  private scheduleDrain(): void {
    if (this.drainTimer !== null) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      this.drain();
      if (this.backlog.length > 0) this.scheduleDrain();
    }, 20);
    this.drainTimer.unref();
  }

  /** Write kept lines while the target takes them (`patienceMs`: wait that long for it). */
  private drain(patienceMs = 0): void {
    while (this.backlog.length > 0) {
      const head = this.backlog[0]!;
      let left: number;
      try { left = writeAllSync(this.fd, head, patienceMs); } catch { left = -1; }
      if (left > 0) {
        this.backlog[0] = head.subarray(head.length - left);
        this.backlogBytes -= head.length - left;
        return;
      }
      this.backlog.shift();
      this.backlogBytes -= head.length;
      if (left < 0) this.lost++;
    }
    if (this.lost > 0) {
      const note = Buffer.from(`${stamp(new Date())} logjail[${process.pid}]: WARNING ${this.lost} log line(s) lost: the log target did not take them\n`);
      this.lost = 0;
      try { writeSome(this.fd, note); } catch { /* nothing better to do */ }
    }
  }

  critical(m: string): void { this.write('critical', m); }
  error(m: string): void { this.write('error', m); }
  warn(m: string): void { this.write('warning', m); }
  notice(m: string): void { this.write('notice', m); }
  info(m: string): void { this.write('info', m); }
  debug(m: string): void { this.write('debug', m); }

  close(): void {
    // what is kept goes out now, waiting a little for a slow reader
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    if (this.backlog.length > 0) this.drain(2000);
    if (this.fd > 2) {
      try { closeSync(this.fd); } catch { /* already closed */ }
    }
    this.syslog?.stdin?.end();
    this.syslog = null;
  }
}
