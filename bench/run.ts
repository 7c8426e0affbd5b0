/**
 * `npm run bench`: every benchmark, each side by side with the reference (fail2ban).
 * Benchmarks print figures; they are not timed tests and never fail on speed. They fail
 * (exit 1) only when logjail and fail2ban disagree on the results.
 *
 *   BENCH_LINES=500000,2000000   sizes of the generated logs for the regex benchmark
 *   BENCH_ONLY=regex     run only the named benchmark (regex, daemon)
 *   BENCH_BANS=100       bans measured for the latency benchmark
 *   BENCH_BURST=10000    offenders in the burst benchmark
 */
import { regexBench } from './regexBench.js';
import { daemonBench } from './daemonBench.js';

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  const lines = (process.env['BENCH_LINES'] ?? '500000,2000000').split(',').map((s) => Number(s.trim()));
  if (lines.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_LINES: line counts separated by commas, e.g. 500000,2000000');
  let ok = true;
  if (only === undefined || only === 'regex') {
    ok = (await regexBench({ lines, filter: 'sshd', keep: process.env['BENCH_KEEP'] === '1' })) && ok;
  }
  if ((only === undefined || only === 'daemon') && process.getuid?.() === 0) {
    await daemonBench({ bans: Number(process.env['BENCH_BANS'] ?? 100), burst: Number(process.env['BENCH_BURST'] ?? 10000) });
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
