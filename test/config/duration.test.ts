import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { parseDuration } from '../../src/config/duration.js';
import { referenceAvailable } from './oracle.js';

describe('durations', () => {
  it('reads the documented examples', () => {
    const examples: [string, number][] = [
      ['10m', 600], ['1h', 3600], ['1d', 86400], ['1w', 604800], ['1mo', 2629800], ['1y', 31557600],
      ['1d12h30m', 131400], ['1y 6mo', 47336400], ['1hour+30min', 5400], ['2 days', 172800], ['1.5h', 5400],
      ['-1', -1], ['600', 600], ['0d 1h 30m', 5400], ['1year-6mo', 15778800], ['6 months', 15778800],
    ];
    for (const [text, seconds] of examples) assert.equal(parseDuration(text), seconds, text);
  });

  it('accepts every spelling of every unit, in any case', () => {
    const units: [string[], number][] = [
      [['years', 'year', 'yea', 'ye', 'yy', 'y'], 31557600], [['months', 'month', 'mon', 'mo'], 2629800],
      [['weeks', 'week', 'wee', 'we', 'ww', 'w'], 604800], [['days', 'day', 'da', 'dd', 'd'], 86400],
      [['hours', 'hour', 'hou', 'ho', 'hh', 'h'], 3600], [['minutes', 'minute', 'min', 'mi', 'mm', 'm'], 60],
      [['seconds', 'second', 'sec', 'se', 'ss', 's'], 1],
    ];
    for (const [spellings, seconds] of units) {
      for (const u of spellings) {
        assert.equal(parseDuration('2' + u), 2 * seconds, '2' + u);
        assert.equal(parseDuration('2 ' + u.toUpperCase()), 2 * seconds, '2 ' + u.toUpperCase());
      }
    }
  });

  it('evaluates arithmetic without handing the text to an interpreter', () => {
    assert.equal(parseDuration('(1+2)*60'), 180);
    assert.equal(parseDuration('2**3'), 8);
    assert.equal(parseDuration('7//2'), 3);
    assert.equal(parseDuration('1h/2'), 1800);
    assert.equal(parseDuration('-2**2'), -4);
  });

  it('rejects text that is not a duration, with the value in the message', () => {
    for (const bad of ['', 'forever', '10x', 'm', '1 2 3', '10m; rm -rf /', '__import__("os")', '1/0', '010', '1e', '(1']) {
      assert.throws(() => parseDuration(bad, { file: 'jail.local', line: 7, key: 'bantime' }),
        (e: unknown) => e instanceof LogjailError && e.code === 'LJ111' && e.place.line === 7 && e.detail.includes(JSON.stringify(bad)), bad);
    }
  });
});

/** fail2ban's str2seconds on each text: a number, or "error". */
function reference(texts: readonly string[]): unknown[] {
  const code = 'import json, sys\nfrom fail2ban.server.mytime import MyTime\nout = []\n' +
    'for t in json.load(sys.stdin):\n' +
    '    try:\n' +
    '        v = MyTime.str2seconds(t)\n' +
    '        out.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else "error")\n' +
    '    except Exception: out.append("error")\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(texts), encoding: 'utf8' })) as unknown[];
}

describe('durations compared with fail2ban', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  it('gives the same seconds as fail2ban, and rejects the same texts', () => {
    const texts = ['10m', '1h', '1d12h30m', '1y 6mo', '1hour+30min', '2 days', '1.5h', '-1', ' 5 m ', '1 h 2', '1h30',
      '1d-1h', '3 weeks 2 days', '1MO', '1Min', '1 2 3', '1 2', '2 * 3d', '1.d', '1_000', '010', '0', '00', '1e3', '.5h',
      '10 m 5', 'm', '1d_', '1 day, 2', '5mins', '2hours30minutes', '1y-1mo-1w-1d-1h-1m-1s', '(1+2)*60', '1/0', 'abc',
      '1 se', '1wee', '1hou', '+5', '--5', '2**3', '7//2', '7%3', '-7%3',
      '2**-3**2', '2**3**2', '-2**2', '(-2)**2', '2**-1', '-(1h)', '2*-3', '((1))m'];
    const ours = texts.map((t) => {
      try {
        return parseDuration(t);
      } catch (e) {
        if (e instanceof LogjailError) return 'error';
        throw e;
      }
    });
    assert.deepEqual(ours, reference(texts));
  });
});
