/**
 * Benchmark: `logjail regex --out json` against `fail2ban-regex -o '<ip>\t<time>'` on the same
 * generated multi-service syslog with fail2ban's own sshd filter. Both must report the same
 * failures; the figures are lines per second and the ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeLog } from './genSyslog.js';

export interface RunResult {
  readonly seconds: number;
  readonly stdout: string;
  readonly code: number | null;
  readonly stderr: string;
}

export function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', rej);
    p.on('close', (code) => res({
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      code,
    }));
  });
}

/** Failures as "ip\ttime" rows, in output order. */
function rowsFromJson(s: string): string[] {
  const rows: string[] = [];
  for (const line of s.split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line) as { ip: string; time: number | null };
    rows.push(`${o.ip}\t${o.time === null ? 'None' : Number(o.time).toFixed(1)}`);
  }
  return rows;
}

function rowsFromF2b(s: string): string[] {
  return s.split('\n').filter((l) => l !== '').map((l) => {
    const [ip, t] = l.split('\t');
    return `${ip}\t${t === 'None' ? 'None' : Number(t).toFixed(1)}`;
  });
}

function compare(a: readonly string[], b: readonly string[]): string | null {
  if (a.length !== b.length) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return `first difference at failure ${i + 1}: logjail "${a[i]}" fail2ban "${b[i]}" (counts ${a.length} / ${b.length})`;
    return `failure counts differ: logjail ${a.length}, fail2ban ${b.length}`;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `failure ${i + 1}: logjail "${a[i]}" fail2ban "${b[i]}"`;
  return null;
}

export interface RegexBenchOptions {
  readonly lines: number;
  readonly filter: string;
  readonly keep?: boolean;
}

export async function regexBench(o: RegexBenchOptions): Promise<boolean> {
  const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'logjail-bench-'));
  const log = join(dir, 'syslog');
  try {
    const tg = Date.now();
    await writeLog(log, { lines: o.lines, seed: 42 });
    const mb = statSync(log).size / 1048576;
    console.log(`regex: generated ${o.lines} lines (${mb.toFixed(1)} MiB) in ${((Date.now() - tg) / 1000).toFixed(1)} s: ${log}`);
    const env = { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8' };
    const lj = await timed(process.execPath, [join(root, 'bin', 'logjail'), 'regex', '--out', 'json', '-c', '/etc/fail2ban', log, o.filter], env);
    if (lj.code !== 0) throw new Error(`logjail regex failed (${lj.code}): ${lj.stderr}`);
    const f2b = await timed('fail2ban-regex', ['-o', '<ip>\t<time>', log, o.filter], env);
    if (f2b.code !== 0) throw new Error(`fail2ban-regex failed (${f2b.code}): ${f2b.stderr}`);
    const a = rowsFromJson(lj.stdout);
    const b = rowsFromF2b(f2b.stdout);
    const diff = compare(a, b);
    const ljRate = o.lines / lj.seconds;
    const fbRate = o.lines / f2b.seconds;
    console.log(`regex: filter ${o.filter}, ${o.lines} lines, ${a.length} failures from logjail, ${b.length} from fail2ban: ${diff === null ? 'identical' : 'DIFFERENT: ' + diff}`);
    console.log(`regex:   logjail        ${lj.seconds.toFixed(2).padStart(7)} s  ${Math.round(ljRate).toLocaleString('en-US').padStart(12)} lines/s`);
    console.log(`regex:   fail2ban-regex ${f2b.seconds.toFixed(2).padStart(7)} s  ${Math.round(fbRate).toLocaleString('en-US').padStart(12)} lines/s`);
    console.log(`regex:   ratio ${(ljRate / fbRate).toFixed(1)}x faster (process start included for both)`);
    return diff === null;
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
