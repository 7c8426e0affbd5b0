import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLocalZone, parseTimeZone } from '../../src/filter/date/index.js';
import { daysFromCivil } from '../../src/filter/date/civil.js';
import { isLogjailError } from '../../src/errors.js';
import { findPython } from './oracle.js';

const CET = 'CET-01CEST-02,M3.5.0,M10.5.0';
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
const wall = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;

describe('logtimezone values', () => {
  test('fixed offsets and abbreviations become minutes east of UTC', () => {
    const cases: [string, number][] = [
      ['UTC', 0], ['GMT', 0], ['Z', 0], ['', 0], ['UTC+0200', 120], ['GMT-0100', -60], ['+05:00', 300],
      ['-0330', -210], ['+05', 300], ['-11', -660], ['CET', 60], ['CEST', 120], ['EST', -300], ['PDT', -420],
      ['NPT', 345], ['ACDT', 630], ['HNT', -210], ['CET+0100', 120], ['EST-01:30', -390], ['+0199', 159],
    ];
    for (const [text, minutes] of cases) assert.equal(parseTimeZone(text), minutes, text);
  });

  test('malformed or unknown zones are configuration errors with the value in the message', () => {
    for (const bad of ['utc', 'UTC+2', 'Europe/Paris', '+2:00', 'ABCDEF', 'XYZ', 'UT', '+2000', 'CET +0100']) {
      assert.throws(() => parseTimeZone(bad), (e: unknown) => isLogjailError(e) && e.code === 'LJ302' && e.message.includes(`"${bad}"`), bad);
    }
  });
});

describe('POSIX TZ rules', () => {
  test('CET-01CEST-02,M3.5.0,M10.5.0 switches at 01:00 UTC in March and 00:00 UTC in October', () => {
    const z = createLocalZone(CET);
    // Spring: last Sunday of March 2005 is the 27th; 02:00 CET = 01:00 UTC.
    assert.equal(z.offsetAt(utc(2005, 3, 27, 0, 59, 59)), 3600);
    assert.equal(z.offsetAt(utc(2005, 3, 27, 1)), 7200);
    // Autumn: last Sunday of October 2005 is the 30th; 02:00 CEST (the default /2, in DST) = 00:00 UTC.
    assert.equal(z.offsetAt(utc(2005, 10, 29, 23, 59, 59)), 7200);
    assert.equal(z.offsetAt(utc(2005, 10, 30)), 3600);
    assert.equal(z.toWall(utc(2005, 8, 14, 10)), wall(2005, 8, 14, 12));
  });

  test('southern-hemisphere rules keep DST across the turn of the year', () => {
    const z = createLocalZone('AEST-10AEDT,M10.1.0,M4.1.0/3');
    assert.equal(z.offsetAt(utc(2005, 1, 15)), 11 * 3600);
    assert.equal(z.offsetAt(utc(2005, 7, 15)), 10 * 3600);
    assert.equal(z.offsetAt(utc(2005, 12, 31, 23)), 11 * 3600);
    // First Sunday of April 2005 is the 3rd: 03:00 AEDT = 16:00 UTC on the 2nd.
    assert.equal(z.offsetAt(utc(2005, 4, 2, 15, 59, 59)), 11 * 3600);
    assert.equal(z.offsetAt(utc(2005, 4, 2, 16)), 10 * 3600);
  });

  test('Julian-day rules, quoted names and explicit DST offsets are understood', () => {
    const j = createLocalZone('AAA3BBB2,J60/1,J300');
    // J60 is March 1st even in leap years; 01:00 at UTC-3 = 04:00 UTC.
    assert.equal(j.offsetAt(utc(2004, 3, 1, 3, 59, 59)), -3 * 3600);
    assert.equal(j.offsetAt(utc(2004, 3, 1, 4)), -2 * 3600);
    const n = createLocalZone('<+0330>-3:30<+0430>,0/0,J365/25');
    assert.equal(n.offsetAt(utc(2005, 6, 1)), 4.5 * 3600);
    const fixed = createLocalZone('<-03>3');
    assert.equal(fixed.offsetAt(utc(2005, 6, 1)), -3 * 3600);
  });

  test('a DST name without rules follows the US rules', () => {
    const z = createLocalZone('ABC5DEF');
    assert.equal(z.offsetAt(utc(2005, 7, 1)), -4 * 3600);
    assert.equal(z.offsetAt(utc(2005, 1, 1)), -5 * 3600);
  });
});

describe('local zone lookup', () => {
  test('zone names read the installed zone files, ":" prefixes are ignored, "" is UTC', () => {
    const zurich = createLocalZone('Europe/Zurich');
    assert.equal(zurich.offsetAt(utc(2005, 8, 14)), 7200);
    assert.equal(zurich.offsetAt(utc(2005, 1, 14)), 3600);
    // Zone files know history the POSIX rule does not: Swiss DST started in 1981.
    assert.equal(zurich.offsetAt(utc(1975, 7, 1)), 3600);
    assert.equal(createLocalZone(':America/New_York').offsetAt(utc(2005, 8, 14)), -4 * 3600);
    assert.equal(createLocalZone('').offsetAt(utc(2005, 8, 14)), 0);
    assert.equal(createLocalZone('Nowhere/Special').offsetAt(utc(2005, 8, 14)), 0);
  });

  test('without zone files an IANA name falls back to ICU\'s rules', () => {
    const empty = mkdtempSync(join(tmpdir(), 'logjail-tz-'));
    const saved = process.env['TZDIR'];
    try {
      process.env['TZDIR'] = empty;
      const z = createLocalZone('Europe/Zurich');
      assert.equal(z.offsetAt(utc(2005, 8, 14)), 7200);
      assert.equal(z.offsetAt(utc(2005, 1, 14)), 3600);
      assert.equal(z.fromWall(wall(2005, 8, 14, 12)), utc(2005, 8, 14, 10));
    } finally {
      if (saved === undefined) delete process.env['TZDIR']; else process.env['TZDIR'] = saved;
      rmSync(empty, { recursive: true });
    }
  });
});

const python = findPython();

describe('wall time to instant (C mktime)', { skip: python === null ? 'python3 with fail2ban not installed' : false }, () => {
  /** Python's time.mktime for each wall time, in order, under TZ (one process: libc keeps state). */
  function pythonMktime(tz: string, walls: number[]): number[] {
    const script = [
      'import json, os, sys, time, calendar',
      `os.environ["TZ"] = ${JSON.stringify(tz)}; time.tzset()`,
      'time.mktime((2000, 1, 15, 12, 0, 0, 0, 0, -1))',
      'out = []',
      'for w in json.load(sys.stdin):',
      '    t = time.gmtime(w)',
      '    out.append(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, 0, 0, -1)))',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(python!, ['-c', script], { input: JSON.stringify(walls), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as number[];
  }

  const sequences: [string, number[]][] = [
    [CET, [
      wall(2005, 3, 27, 1, 59, 59), wall(2005, 3, 27, 2), wall(2005, 3, 27, 2, 30), wall(2005, 3, 27, 3),
      wall(2005, 10, 30, 0, 30), wall(2005, 10, 30, 1, 30), wall(2005, 7, 1, 12), wall(2005, 10, 30, 1, 30),
      wall(2005, 12, 1, 12), wall(2005, 10, 30, 1, 30), wall(2005, 3, 27, 2, 30), wall(2005, 10, 30, 2, 30),
    ]],
    ['Europe/Zurich', [
      wall(2005, 3, 27, 2, 30), wall(2005, 10, 30, 2, 30), wall(2005, 7, 1, 12), wall(2005, 10, 30, 2, 30),
      wall(2005, 12, 1, 12), wall(2005, 10, 30, 2, 0), wall(2005, 10, 30, 2, 59, 59), wall(2005, 10, 30, 3),
    ]],
    ['America/New_York', [
      wall(2005, 4, 3, 2, 30), wall(2005, 10, 30, 1, 30), wall(2005, 7, 1), wall(2005, 10, 30, 1, 30),
      wall(2007, 3, 11, 2, 15), wall(2007, 11, 4, 1, 45),
    ]],
    ['AEST-10AEDT,M10.1.0,M4.1.0/3', [
      wall(2005, 10, 2, 2, 30), wall(2005, 4, 3, 2, 30), wall(2005, 1, 1), wall(2005, 4, 3, 2, 30),
    ]],
    ['Australia/Lord_Howe', [wall(2005, 10, 30, 2, 15), wall(2005, 3, 27, 1, 45), wall(2005, 3, 27, 1, 45)]],
  ];

  for (const [tz, walls] of sequences) {
    test(`skipped and repeated wall times under ${tz} resolve as Python's time.mktime does`, () => {
      const z = createLocalZone(tz);
      z.fromWall(wall(2000, 1, 15, 12));
      const got = walls.map((w) => z.fromWall(w));
      assert.deepEqual(got, pythonMktime(tz, walls));
    });
  }

  test('a skipped wall time reads as if the clock had not been changed yet', () => {
    const z = createLocalZone(CET);
    z.fromWall(wall(2000, 1, 15, 12));
    // 02:30 does not exist on 2005-03-27; CET reading: 01:30 UTC (shown as 03:30 CEST).
    assert.equal(z.fromWall(wall(2005, 3, 27, 2, 30)), utc(2005, 3, 27, 1, 30));
  });

  test('a repeated wall time takes the offset of the previous conversion', () => {
    const z = createLocalZone('Europe/Zurich');
    z.fromWall(wall(2005, 7, 1, 12));
    assert.equal(z.fromWall(wall(2005, 10, 30, 2, 30)), utc(2005, 10, 30, 0, 30));
    z.fromWall(wall(2005, 12, 1, 12));
    assert.equal(z.fromWall(wall(2005, 10, 30, 2, 30)), utc(2005, 10, 30, 1, 30));
  });
});

describe('the process TZ', () => {
  const module = fileURLToPath(new URL('../../src/filter/date/index.js', import.meta.url));
  const script = `import { createDateDetector } from ${JSON.stringify(module)};
const d = createDateDetector({});
const out = [];
for (const l of ['2005-08-14 12:00:00 x', '2005-01-14 12:00:00 x', 'Aug 14 12:00:00 y']) { d.find(l); out.push(d.time(l, 1124013600)); }
console.log(JSON.stringify(out));`;

  const expected: [string | undefined, number[]][] = [
    [CET, [utc(2005, 8, 14, 10), utc(2005, 1, 14, 11), utc(2005, 8, 14, 10)]],
    ['America/New_York', [utc(2005, 8, 14, 16), utc(2005, 1, 14, 17), utc(2005, 8, 14, 16)]],
    ['Asia/Kolkata', [utc(2005, 8, 14, 6, 30), utc(2005, 1, 14, 6, 30), utc(2005, 8, 14, 6, 30)]],
    ['UTC', [utc(2005, 8, 14, 12), utc(2005, 1, 14, 12), utc(2005, 8, 14, 12)]],
  ];
  for (const [tz, want] of expected) {
    test(`dates without a zone are read in the server's local time (TZ=${tz})`, () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script],
        { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), want);
    });
  }
});
