/**
 * The fast paths of date detection (hand-written recognizers, the conversion cache) against the
 * plain regex path they stand in for, on a large generated corpus of near-miss dates: every
 * span, field, time, dropped line and template-order change must agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { templatesFor } from '../../src/filter/date/catalogue.js';
import { compileTemplate } from '../../src/filter/date/compile.js';
import { DateFields, fieldsTime, readFields, TimeCache } from '../../src/filter/date/convert.js';
import { createDateDetector, createLocalZone, type DateCapture, type DateDetector } from '../../src/filter/date/index.js';
import { FastDate, MATCH, NONE, recognizerFor, UNSURE } from '../../src/filter/date/recognize.js';
import { groupValue } from '../../src/filter/pyregex/index.js';
import { formatLines, hostileLines, switchingLines } from './lines.js';
import { nearMissLines } from './nearMiss.js';

const CET = 'CET-01CEST-02,M3.5.0,M10.5.0';
/** 2005-08-14 12:00:00 CEST. */
const TEST_NOW = 1124013600;
/** 2005-01-01 00:30:00 CET, and just before and after the turn of the year. */
const NOWS = [TEST_NOW, 1104535800, 1104533999.9999995, 1104534000, 1104534000.25, 1135983599, 1700000000.5];

const ISO_ONE_SEPARATOR = '{^LN-BEG}%ExY(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?';

const isAscii = (s: string): boolean => Buffer.byteLength(s, 'utf8') === s.length;

const corpus = nearMissLines(60_000, 7);

describe('recognizers', () => {
  const defs = [
    ...templatesFor('{^LN-BEG}', 'test').templates.filter((d) => recognizerFor(d) !== null),
    templatesFor(ISO_ONE_SEPARATOR, 'test').templates[0]!,
  ];

  test('exist for the syslog and ISO 8601 templates at the line start, and for nothing else by default', () => {
    assert.equal(defs.length, 3);
    assert.ok(recognizerFor(defs[2]!) !== null);
    const names = defs.map((d) => d.name);
    assert.ok(names[0]!.startsWith('{^LN-BEG}ExYear(?P<_sep>[-/.])Month'), names[0]);
    assert.ok(names[1]!.startsWith('{^LN-BEG}(?:DAY )?MON Day %k'), names[1]);
    // the same formats without the line anchor search the whole line: no recognizer
    const unanchored = templatesFor(undefined, 'test').templates.filter((d) => !d.name.startsWith('{^LN-BEG}'));
    assert.deepEqual(unanchored.filter((d) => recognizerFor(d) !== null), []);
  });

  test('give the span and fields their regex gives, or leave the line to the regex', () => {
    const out = new FastDate();
    const fields = new DateFields();
    const counts = new Map<number, number>();
    const errors: string[] = [];
    for (const def of defs) {
      const recognize = recognizerFor(def)!;
      const ct = compileTemplate(def, 'test');
      for (const line of [...corpus, ...formatLines(), ...hostileLines()]) {
        const ascii = isAscii(line);
        // an ASCII line may also be passed as "not known to be ASCII"
        for (const hint of ascii ? [true, false] : [false]) {
          const r = recognize(line, hint, out);
          counts.set(r, (counts.get(r) ?? 0) + 1);
          if (r === UNSURE) continue;
          const variant = hint ? ct.ascii : ct.unicode;
          variant.search.lastIndex = 0;
          const m = variant.search.exec(line);
          const what = `${def.name.slice(0, 30)} ${JSON.stringify(line.slice(0, 60))} hint=${hint}`;
          if (r === NONE) {
            if (m !== null) errors.push(`${what}: recognizer says no date, regex finds ${JSON.stringify(m[0])}`);
            continue;
          }
          if (m === null) { errors.push(`${what}: recognizer finds [${out.start}, ${out.end}), regex nothing`); continue; }
          const g1 = groupValue(m, variant.group1)!;
          const end = m.index + m[0].length;
          if (m.index !== 0 || out.end !== end || out.start !== end - g1.length) {
            errors.push(`${what}: recognizer [${out.start}, ${out.end}), regex [${end - g1.length}, ${end})`);
            continue;
          }
          const f = readFields(m, variant, fields);
          if (f === null || f === undefined) { errors.push(`${what}: regex fields do not parse`); continue; }
          const mine = [out.year, out.month, out.day, out.hour, out.minute, out.second, out.zone];
          const theirs = [f.year, f.month, f.day, f.hour, f.minute, f.second, f.zone];
          if (!Object.is(JSON.stringify(mine), JSON.stringify(theirs))) {
            errors.push(`${what}: fields ${JSON.stringify(mine)} vs regex ${JSON.stringify(theirs)}`);
          }
        }
        if (errors.length > 20) break;
      }
    }
    assert.deepEqual(errors, []);
    // Not vacuous: the corpus has plenty of dates, of near misses, and of lines left to the regex.
    assert.ok((counts.get(MATCH) ?? 0) > 20_000, `matches: ${counts.get(MATCH)}`);
    assert.ok((counts.get(NONE) ?? 0) > 50_000, `no date: ${counts.get(NONE)}`);
    assert.ok((counts.get(UNSURE) ?? 0) > 1_000, `unsure: ${counts.get(UNSURE)}`);
  });
});

/** Everything observable about a detector after a line: span, time or capture, and the order. */
function observe(d: DateDetector, line: string, hint: boolean | undefined, now: number, later: DateCapture[]): unknown[] {
  const found = hint === undefined ? d.find(line) : d.find(line, hint);
  const seen: unknown[] = [found, d.start, d.end];
  if (found && d.end > d.start) {
    if (line.length % 3 === 0) {
      // kept for later: converted after the next lines, as the filter does with lines that cannot fail
      later.push(d.capture()!);
    } else {
      seen.push(d.time(line, now), d.dropLine);
    }
  }
  if (later.length >= 3 || line.length % 7 === 0) {
    for (const c of later.splice(0)) seen.push(c.start, c.end, d.timeOf(c, now), d.dropLine);
  }
  seen.push(d.templates.map((t) => `${t.name}:${t.hits}:${t.weight}`).join('|'));
  return seen;
}

describe('detector with and without the fast paths', () => {
  const zone = createLocalZone(CET);
  const refZone = createLocalZone(CET);
  // Other formats in between make the search order change (and the recognizers run on lines they
  // do not match); the clock moves so that templates also age out of the order.
  const others = [...formatLines(), ...switchingLines()];
  const lines: string[] = [];
  corpus.forEach((l, i) => {
    lines.push(l);
    if (i % 17 === 0) lines.push(others[i % others.length]!);
  });

  for (const pattern of [undefined, '{^LN-BEG}', ISO_ONE_SEPARATOR, `${ISO_ONE_SEPARATOR}\n{^LN-BEG}`, '^<\\d+>\\d+\\s+{DATE}\n{^LN-BEG}']) {
    test(`find, time and capture agree line by line (datepattern ${JSON.stringify(pattern ?? 'default')})`, () => {
      let t1 = 1e9;
      let t2 = 1e9;
      const fast = createDateDetector({ pattern, localZone: zone, clock: () => (t1 += 7) });
      const ref = createDateDetector({ pattern, localZone: refZone, clock: () => (t2 += 7), fast: false });
      const laterFast: DateCapture[] = [];
      const laterRef: DateCapture[] = [];
      const n = pattern === undefined ? 25_000 : lines.length;
      for (let i = 0; i < n; i++) {
        const line = lines[i]!;
        const hint = i % 5 === 0 ? undefined : isAscii(line) && i % 11 !== 0;
        const now = NOWS[Math.floor(i / 40) % NOWS.length]!;
        const a = observe(fast, line, hint, now, laterFast);
        const b = observe(ref, line, hint, now, laterRef);
        assert.deepEqual(a, b, `line ${i} ${JSON.stringify(line)}`);
      }
      const wins = (fast as unknown as { fastWins: number }).fastWins;
      assert.ok(wins > 2_000, `the recognizers found only ${wins} dates`);
      assert.equal((ref as unknown as { fastWins: number }).fastWins, 0);
    });
  }
});

describe('conversion cache', () => {
  test('gives what the plain conversion gives, for repeated and changing dates, nows and zones', () => {
    let seed = 99;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
    // Dates near the turn of the year, leap days, DST changes (in Europe/Berlin too) and
    // impossible fields; nows near the turn of the year and a day apart.
    const years = [NaN, NaN, NaN, 2004, 2005, 2000, 2100];
    const nows = [...NOWS, 1111885200, 1130634000, 1130637600.5, 1109548800];
    let checked = 0;
    for (const tz of [CET, 'Europe/Berlin', 'UTC']) {
      for (const defaultTz of [null, 0, 330, -600]) {
        const zone = createLocalZone(tz);
        const refZone = createLocalZone(tz);
        const cache = new TimeCache(zone, defaultTz);
        const f = new DateFields();
        const results = new Set<string>();
        for (let i = 0; i < 6000; i++) {
          // change a field now and then: runs of the same date, as in a log
          if (random() < 0.3) {
            f.year = pick(years);
            f.month = pick([1, 1, 2, 3, 10, 12, 12, 13]);
            f.day = pick([1, 1, 2, 14, 27, 28, 29, 30, 31, 31]);
            f.zone = pick([null, null, null, 0, 60, -300, -0]);
          }
          if (random() < 0.6) {
            f.hour = pick([0, 0, 1, 2, 2, 3, 12, 23, 23, 24, 29]);
            f.minute = pick([0, 30, 59, 60]);
            f.second = pick([0, 1, 59, 60]);
          }
          const now = random() < 0.9 ? pick(nows) : pick(nows) + random() * 86400 * 3 - 86400 * 1.5;
          const got = cache.time(f, now);
          const want = fieldsTime(f, now, refZone, defaultTz);
          assert.equal(got, want, `${tz} ${defaultTz} ${JSON.stringify(f)} now=${now}`);
          results.add(String(want));
          checked++;
        }
        // Not vacuous: numbers of several kinds, and impossible dates.
        assert.ok(results.size > 100 && results.has('null'), `${tz}: ${results.size} distinct results`);
      }
    }
    assert.equal(checked, 3 * 4 * 6000);
  });
});
