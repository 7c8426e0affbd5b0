/**
 * `npm run bench`: every benchmark, each side by side with the reference (fail2ban).
 * Benchmarks print figures; they are not timed tests and never fail on speed. They fail
 * (exit 1) only when logjail and fail2ban disagree on the results.
 *
 *   BENCH_LINES=500000   size of the generated log for the regex benchmark
 *   BENCH_ONLY=regex     run only the named benchmark
 */
import { regexBench } from './regexBench.js';

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  const lines = Number(process.env['BENCH_LINES'] ?? 500000);
  let ok = true;
  if (only === undefined || only === 'regex') {
    ok = (await regexBench({ lines, filter: 'sshd', keep: process.env['BENCH_KEEP'] === '1' })) && ok;
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
