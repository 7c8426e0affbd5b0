/**
 * ns/line of find() and of find() + time() on a generated 500,000-line syslog (not a test; run
 * by hand, on a quiet machine):
 *   npx tsc -p tsconfig.json && node dist/test/date/speed.js [lines] [datepattern|default]
 * Prints the figures with the fast recognizers on and off (same detector code otherwise).
 */
import { generate } from '../../bench/genSyslog.js';
import { createDateDetector, createLocalZone } from '../../src/filter/date/index.js';

const count = Number(process.argv[2] ?? 500_000);
const patArg = process.argv[3] ?? '{^LN-BEG}';
const pattern = patArg === 'default' ? undefined : patArg;
const zone = createLocalZone('UTC');
const lines: string[] = [];
generate({ lines: count, seed: 1, end: 1700000000 }, (l) => lines.push(l));
const now = 1700000000;
const started = Date.now() / 1000;

type Opts = Parameters<typeof createDateDetector>[0] & { fast?: boolean };

function run(fast: boolean, withTime: boolean): number {
  const opts: Opts = { pattern, localZone: zone, clock: () => started, fast };
  const d = createDateDetector(opts);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (d.find(l, true) && withTime) sink += d.time(l, now) ?? 0;
  }
  const ns = Number(process.hrtime.bigint() - t0) / lines.length;
  if (sink === 0.5) console.log('');
  return ns;
}

for (const fast of [false, true]) {
  // Best of several rounds: the machine is shared, the minimum is the least disturbed figure.
  let find = Infinity;
  let both = Infinity;
  for (let r = 0; r < 5; r++) {
    find = Math.min(find, run(fast, false));
    both = Math.min(both, run(fast, true));
  }
  console.log(`${fast ? 'fast path' : 'regex only'}  find ${find.toFixed(0)} ns/line   find+time ${both.toFixed(0)} ns/line   (time ≈ ${(both - find).toFixed(0)})`);
}
