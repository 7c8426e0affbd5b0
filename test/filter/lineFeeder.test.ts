import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFilter } from '../../src/config/index.js';
import { CompiledFilter } from '../../src/filter/compiledFilter.js';
import { createDateDetector, utcZone } from '../../src/filter/date/index.js';
import { Filter } from '../../src/filter/filter.js';
import { LineFeeder } from '../../src/filter/lineFeeder.js';
import { specOf } from '../../src/filter/spec.js';
import type { Failure } from '../../src/filter/types.js';
import { rng } from '../../bench/genSyslog.js';

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config');
const NOW = Date.UTC(2005, 7, 14, 10) / 1000;

/** Lines of every shape the fast path must not get wrong. */
function lines(seed: number, n: number): string[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `192.0.2.${Math.floor(r() * 250) + 1}`;
    // all within the minute before NOW: a dateless line then takes the last known date
    const date = `Aug 14 09:59:${String(i % 60).padStart(2, '0')}`;
    const msg = pick([
      `host sshd[${i}]: Failed password for root from ${ip} port 22 ssh2`,
      `host sshd[${i}]: Invalid user bob from ${ip} port 22`,
      `host sshd[${i}]: Accepted publickey for alice from ${ip} port 22 ssh2`,
      `host cron[${i}]: session opened for user root`,
      `host sshd[${i}]: Connection closed by authenticating user root ${ip} port 22 [preauth]`,
      `host sshd[${i}]: Failed password for invalid user ünïcödé from ${ip} port 22 ssh2`,
      `host kernel: something else entirely`,
    ]);
    const shape = r();
    if (shape < 0.05) out.push(`host sshd[${i}]: Failed password for root from ${ip} port 22 ssh2`); // no date at all
    else if (shape < 0.08) out.push(`[${date}] ${msg}`); // date after a non-word prefix
    else if (shape < 0.10) out.push('# a comment line');
    else if (shape < 0.12) out.push('');
    else if (shape < 0.15) out.push(`${date} ${msg}\r`);
    else out.push(`${date} ${msg}`);
  }
  return out;
}

function summary(f: Failure): string {
  return `${f.lineNo} ${f.id} ${f.time} ${f.regexIndex} ${String(f.data['user'])}`;
}

function run(pattern: string | undefined, text: string, fast: boolean, piece: number): string[] {
  const def = readFilter(CONFIG, 'sshd', { mode: 'aggressive' });
  const cf = new CompiledFilter(specOf({ ...def, datepattern: pattern ?? '' }));
  const filter = new Filter(cf, {
    dates: createDateDetector({ pattern, localZone: utcZone(), clock: () => NOW }),
    clock: () => NOW, realClock: () => NOW, lazyDates: fast,
  });
  const out: string[] = [];
  const feeder = new LineFeeder(filter, {
    skipComments: true,
    onFailures: (fs) => { for (const f of fs) if (f.kind !== 'pending' && !f.data['nofail']) out.push(summary(f)); },
    ...(fast ? {} : { onLine: () => undefined }),
  });
  for (let i = 0; i < text.length; i += piece) feeder.push(text.slice(i, i + piece));
  feeder.end();
  return out;
}

for (const pattern of [undefined, '{^LN-BEG}', '{^LN-BEG}%b %d %H:%M:%S', '%b %d %H:%M:%S']) {
  test(`skipping lines that cannot fail changes no verdict (datepattern ${pattern ?? 'default'})`, () => {
    const text = lines(7, 3000).join('\n') + '\n';
    const slow = run(pattern, text, false, text.length);
    assert.ok(slow.length > 100, `the sample must produce failures (${slow.length})`);
    for (const piece of [text.length, 4096, 777]) {
      assert.deepEqual(run(pattern, text, true, piece), slow, `piece size ${piece}`);
    }
  });
}

test('a line without a date takes the date of the last dated line, even a skipped one', () => {
  const text = [
    'Aug 14 09:59:30 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2',
    'Aug 14 09:59:50 host cron[2]: nothing to see',
    'host sshd[3]: Failed password for root from 192.0.2.2 port 22 ssh2',
  ].join('\n') + '\n';
  const out = run('{^LN-BEG}', text, true, text.length);
  assert.deepEqual(out.map((s) => s.split(' ').slice(0, 3).join(' ')), [
    `1 192.0.2.1 ${Date.UTC(2005, 7, 14, 9, 59, 30) / 1000}`,
    `3 192.0.2.2 ${Date.UTC(2005, 7, 14, 9, 59, 50) / 1000}`,
  ]);
});

test('an over-long line is cut and the lines after it are still read', () => {
  const def = new CompiledFilter({ name: 't', failregex: ['from <HOST>$'] });
  const filter = new Filter(def, { dates: createDateDetector({ localZone: utcZone() }), clock: () => NOW });
  const found: number[] = [];
  const long: number[] = [];
  const feeder = new LineFeeder(filter, {
    maxLineLength: 100,
    onFailures: (fs) => found.push(...fs.map((f) => f.lineNo)),
    onLongLine: (n) => long.push(n),
  });
  feeder.push('Aug 14 09:00:00 x from 192.0.2.1\n');
  feeder.push('Aug 14 09:00:01 ' + 'a'.repeat(5000));
  feeder.push('b'.repeat(5000) + ' from 192.0.2.2\nAug 14 09:00:02 y from 192.0.2.3\n');
  feeder.end();
  assert.deepEqual(found, [1, 3]);
  assert.deepEqual(long, [2]);
});

test('a literal split by the cut-out date is still found when scanning raw lines', () => {
  // the regex sees ":] attack from ..." once the date between ":" and "]" is cut out
  const def = new CompiledFilter({ name: 't', failregex: ['^:\\] attack from <HOST>$'] });
  for (const fast of [true, false]) {
    const filter = new Filter(def, { dates: createDateDetector({ pattern: '{^LN-BEG}', localZone: utcZone() }), clock: () => NOW, lazyDates: fast });
    const found: string[] = [];
    const feeder = new LineFeeder(filter, {
      onFailures: (fs) => found.push(...fs.map((f) => f.id)),
      ...(fast ? {} : { onLine: () => undefined }),
    });
    feeder.push(':Aug 14 09:00:00] attack from 192.0.2.9\nAug 14 09:00:01 quiet\n');
    feeder.end();
    assert.deepEqual(found, ['192.0.2.9'], fast ? 'fast path' : 'line by line');
  }
});

test('a line on which a regex backtracks for ever is dropped and the lines after it are still read', () => {
  // nested quantifiers: exponential on a line of unterminated [a="b" segments (like sshd's rfc5424 prefix)
  const def = new CompiledFilter({ name: 't', failregex: ['^ (?:[^\\[\\]\\s]+|(?:\\[(?:[^\\]"]*|"[^"]*")*\\])+)\\s+from <HOST>$'] });
  const filter = new Filter(def, { dates: createDateDetector({ localZone: utcZone() }), clock: () => NOW });
  const found: string[] = [];
  const stalls: number[] = [];
  const feeder = new LineFeeder(filter, {
    lineTimeout: 200,
    onFailures: (fs) => found.push(...fs.map((f) => f.id)),
    onStall: (n) => stalls.push(n),
  });
  const started = Date.now();
  feeder.push('Aug 14 09:00:00 [x] from 192.0.2.1\n');
  feeder.push('Aug 14 09:00:01 ' + '[a="b" '.repeat(30) + 'from nowhere!\n');
  feeder.push('Aug 14 09:00:02 [y] from 192.0.2.3\n');
  feeder.end();
  assert.deepEqual(stalls, [2]);
  assert.deepEqual(found, ['192.0.2.1', '192.0.2.3']);
  assert.ok(Date.now() - started < 5000, 'the stall is cut short');
});
