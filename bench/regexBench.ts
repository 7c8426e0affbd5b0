/**
 * Benchmark: `logjail regex --out json` against `fail2ban-regex -o '<ip>\t<time>'` on the same
 * generated multi-service syslog with fail2ban's own sshd filter, at one or more log sizes. Both
 * must report the same failures; the figures are lines per second and the ratio, process start
 * included for both. logjail runs three times (a shared machine is noisy: best and median are
 * shown, the ratio uses the median); fail2ban-regex, some 30 times slower, once. Each program's
 * start-up alone (a one-line log) is shown too: at 500,000 lines it is a good part of logjail's
 * time, which is why a larger log is measured as well.
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
  /** Log sizes to measure, in lines. */
  readonly lines: readonly number[];
  readonly filter: string;
  readonly keep?: boolean;
}

const fmtRate = (r: number): string => Math.round(r).toLocaleString('en-US').padStart(12);

export async function regexBench(o: RegexBenchOptions): Promise<boolean> {
  const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'logjail-bench-'));
  const env = { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8' };
  const logjail = (log: string): Promise<RunResult> =>
    timed(process.execPath, [join(root, 'bin', 'logjail'), 'regex', '--out', 'json', '-c', '/etc/fail2ban', log, o.filter], env);
  const fail2ban = (log: string): Promise<RunResult> => timed('fail2ban-regex', ['-o', '<ip>\t<time>', log, o.filter], env);
  let same = true;
  try {
    // start-up alone: one line
    const one = join(dir, 'one');
    await writeLog(one, { lines: 1, seed: 42 });
    const ljStart = Math.min(...(await sequence(3, () => logjail(one))).map((r) => r.seconds));
    const fbStart = (await fail2ban(one)).seconds;
    console.log(`regex: start-up (a one-line log): logjail ${ljStart.toFixed(2)} s, fail2ban-regex ${fbStart.toFixed(2)} s`);
    for (const lines of o.lines) {
      const log = join(dir, `syslog-${lines}`);
      const tg = Date.now();
      await writeLog(log, { lines, seed: 42 });
      const mb = statSync(log).size / 1048576;
      console.log(`regex: generated ${lines} lines (${mb.toFixed(1)} MiB) in ${((Date.now() - tg) / 1000).toFixed(1)} s: ${log}`);
      const runs = await sequence(3, () => logjail(log));
      for (const r of runs) if (r.code !== 0) throw new Error(`logjail regex failed (${r.code}): ${r.stderr}`);
      const f2b = await fail2ban(log);
      if (f2b.code !== 0) throw new Error(`fail2ban-regex failed (${f2b.code}): ${f2b.stderr}`);
      const b = rowsFromF2b(f2b.stdout);
      let diff: string | null = null;
      for (const r of runs) diff ??= compare(rowsFromJson(r.stdout), b);
      const a = rowsFromJson(runs[0]!.stdout);
      const secs = runs.map((r) => r.seconds).sort((x, y) => x - y);
      const median = secs[1]!, best = secs[0]!;
      const fbRate = lines / f2b.seconds;
      console.log(`regex: filter ${o.filter}, ${lines} lines, ${a.length} failures from logjail, ${b.length} from fail2ban: ${diff === null ? 'identical' : 'DIFFERENT: ' + diff}`);
      console.log(`regex:   logjail        ${median.toFixed(2).padStart(7)} s  ${fmtRate(lines / median)} lines/s  (median of 3; best ${best.toFixed(2)} s, ${fmtRate(lines / best).trim()} lines/s)`);
      console.log(`regex:   fail2ban-regex ${f2b.seconds.toFixed(2).padStart(7)} s  ${fmtRate(fbRate)} lines/s`);
      console.log(`regex:   ratio ${(lines / median / fbRate).toFixed(1)}x faster (median; ${(lines / best / fbRate).toFixed(1)}x best), process start included for both`);
      if (!o.keep) rmSync(log, { force: true });
      same = same && diff === null;
    }
    return same;
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Run one after another (never side by side: they would share the two cores). */
async function sequence(n: number, run: () => Promise<RunResult>): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (let i = 0; i < n; i++) out.push(await run());
  return out;
}
