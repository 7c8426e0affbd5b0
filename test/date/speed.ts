/**
 * ns/line of find() and of find() + time() on a generated syslog of 500,000 lines (not a test;
 * run by hand, on a quiet machine), with the fast paths on and off:
 *   npx tsc -p tsconfig.json && node dist/test/date/speed.js [lines]
 * Lines are slices of one log text, as the filter passes them; the clock is cheap. Sets: syslog
 * dates with datepattern {^LN-BEG} and with the default templates, the same lines with ISO 8601
 * dates, the syslog lines given as "not known to be ASCII", and with a "now" that moves on.
 */
import { generate } from '../../bench/genSyslog.js';
import { createDateDetector, createLocalZone } from '../../src/filter/date/index.js';

const count = Number(process.argv[2] ?? 500_000);
const zone = createLocalZone('UTC');
const NOW = 1700000000;
const started = Date.now() / 1000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 23 13:30:14 rest" → "2023-11-23T13:30:14.123456+01:00 rest". */
function toIso(line: string, i: number): string {
  const month = String(MONTHS.indexOf(line.slice(0, 3)) + 1).padStart(2, '0');
  const day = line.slice(4, 6).replace(' ', '0');
  return `2023-${month}-${day}T${line.slice(7, 15)}.${String(i % 1000000).padStart(6, '0')}+01:00${line.slice(15)}`;
}

/** The generated lines (transformed), as slices of one text. */
function logLines(transform: ((line: string, i: number) => string) | null): string[] {
  const generated: string[] = [];
  generate({ lines: count, seed: 1, end: NOW }, (l) => generated.push(transform === null ? l : transform(l, generated.length)));
  const text = generated.join('\n');
  const lines: string[] = [];
  for (let at = 0, i = 0; i < generated.length; i++) {
    lines.push(text.slice(at, at + generated[i]!.length));
    at += generated[i]!.length + 1;
  }
  return lines;
}

function run(lines: readonly string[], pattern: string | undefined, fast: boolean, ascii: boolean, withTime: boolean,
  moving: boolean): number {
  const d = createDateDetector({ pattern, localZone: zone, clock: () => started, fast });
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    // a daemon's "now" moves on with every line (a millisecond clock)
    if (d.find(l, ascii) && withTime) sink += d.time(l, moving ? NOW + i * 0.001 : NOW) ?? 0;
  }
  const ns = Number(process.hrtime.bigint() - t0) / lines.length;
  if (sink === 0.5) console.log('');
  return ns;
}

const syslog = logLines(null);
const iso = logLines(toIso);
const SETS: [string, readonly string[], string | undefined, boolean, boolean][] = [
  ['syslog, {^LN-BEG}', syslog, '{^LN-BEG}', true, false],
  ['syslog, default templates', syslog, undefined, true, false],
  ['ISO 8601, default templates', iso, undefined, true, false],
  ['syslog, not known to be ASCII', syslog, '{^LN-BEG}', false, false],
  ['syslog, "now" moving', syslog, '{^LN-BEG}', true, true],
];
for (const [label, lines, pattern, ascii, moving] of SETS) {
  for (const fast of [false, true]) {
    // Best of several rounds: the machine is shared, the minimum is the least disturbed figure.
    let find = Infinity;
    let both = Infinity;
    for (let r = 0; r < 5; r++) {
      find = Math.min(find, run(lines, pattern, fast, ascii, false, moving));
      both = Math.min(both, run(lines, pattern, fast, ascii, true, moving));
    }
    console.log(`${label.padEnd(30)} ${fast ? 'fast   ' : 'regexes'}  find ${find.toFixed(0).padStart(4)} ns/line`
      + `   find+time ${both.toFixed(0).padStart(4)} ns/line   (time ≈ ${(both - find).toFixed(0)})`);
  }
}
