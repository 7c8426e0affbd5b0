import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDateDetector, createLocalZone } from '../../src/filter/date/index.js';

const zone = createLocalZone('CET-01CEST-02,M3.5.0,M10.5.0');
const NOW = 1124013600;

let seed = 42;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const junk = (n: number, max: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(random() * max));
  return s;
};

const HOSTILE: [string, string][] = [
  ['50 KB of digits', '7'.repeat(50_000)],
  ['50 KB of digits before a date', '1'.repeat(50_000) + ' Aug 14 10:00:00 x'],
  ['repeated almost-dates', '2005-08-14 10:00:'.repeat(3000)],
  ['repeated month names', 'Aug 14 '.repeat(7000)],
  ['repeated epochs', '11240136001 '.repeat(4000)],
  ['colons', ':'.repeat(50_000)],
  ['binary junk', junk(50_000, 256)],
  ['UTF-16 junk with lone surrogates', junk(50_000, 0x10000)],
  ['lone surrogates around a date', '\ud800\udfff\udc00 2005-08-14 10:00:00 \ud800'],
  ['a huge bracketed number', '[' + '9'.repeat(50_000) + ']'],
];

for (const pattern of [undefined, '{^LN-BEG}', '^[^\\[]*\\[({DATE})', '%Y-%m-%d %H:%M:%S']) {
  test(`hostile lines finish quickly and harmlessly (datepattern ${pattern ?? 'default'})`, () => {
    const d = createDateDetector({ pattern, localZone: zone });
    const slow: string[] = [];
    for (const [name, line] of HOSTILE) {
      const t0 = performance.now();
      if (d.find(line)) {
        assert.ok(d.start >= 0 && d.start <= d.end && d.end <= line.length, name);
        const t = d.time(line, NOW);
        assert.ok(t === null || Number.isFinite(t), name);
      }
      const ms = performance.now() - t0;
      // Generous: a shared, loaded machine; a backtracking blow-up takes seconds, not milliseconds.
      if (ms > 1000) slow.push(`${name}: ${ms.toFixed(0)} ms`);
    }
    assert.deepEqual(slow, []);
  });
}

test('a date after hostile junk is still found', () => {
  const d = createDateDetector({ localZone: zone });
  const line = '\ud800' + junk(1000, 128).replace(/[0-9]/g, 'x') + ' 2005-08-14 10:00:00 x';
  assert.ok(d.find(line));
  assert.equal(line.slice(d.start, d.end), '2005-08-14 10:00:00');
  assert.equal(d.time(line, NOW), Date.UTC(2005, 7, 14, 8) / 1000);
});
