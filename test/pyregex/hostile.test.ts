/**
 * Patterns and lines meant to hurt: translation must stay fast and bounded whatever the pattern,
 * and the rfc5424 sshd prefix (which backtracks catastrophically in V8 when $ is translated
 * naively) must match its sample lines quickly.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { LogjailError } from '../../src/errors.js';
import { translate } from '../../src/filter/pyregex/index.js';
import { PYTHON, runPython } from './oracle.js';

function elapsed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function outcome(pattern: string): string {
  try {
    translate(pattern);
    return 'translated';
  } catch (e) {
    assert.ok(e instanceof LogjailError, `not a LogjailError: ${String(e)}`);
    return e.code;
  }
}

describe('hostile patterns and lines', () => {
  test('deep nesting is refused with an error, not a stack overflow', () => {
    assert.equal(outcome(`${'('.repeat(100)}a${')'.repeat(100)}`), 'translated');
    assert.equal(outcome(`${'('.repeat(5000)}a${')'.repeat(5000)}`), 'LJ202');
    assert.equal(outcome(`${'(?:'.repeat(5000)}a${')'.repeat(5000)}`), 'LJ202');
  });

  test('conditionals that would multiply the pattern are refused in bounded time', () => {
    for (const n of [8, 12, 24]) {
      let p = '';
      for (let i = 1; i <= n; i++) p += `(x${i})?`;
      for (let i = 1; i <= n; i++) p += `(?(${i})a|b)`;
      const ms = elapsed(() => outcome(p));
      assert.ok(ms < 3000, `${n} conditionals took ${ms.toFixed(0)} ms`);
    }
    let big = '';
    for (let i = 1; i <= 24; i++) big += `(x${i})?`;
    for (let i = 1; i <= 24; i++) big += `(?(${i})a|b)`;
    assert.equal(outcome(big), 'LJ202');
  });

  test('long and repetitive patterns translate in linear time', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`).join('|');
    const ms = elapsed(() => translate(`^(?:${words}) from (?P<ip>\\S+)$`));
    assert.ok(ms < 2000, `2000 alternatives took ${ms.toFixed(0)} ms`);
    assert.ok(elapsed(() => translate('(?i)[\\x00-\\U0010ffff]{1000}(?:a{1000}){1000}')) < 2000);
    assert.ok(elapsed(() => translate('(?:(?:(?:a|b)*c)*d)*e'.repeat(50))) < 2000);
  });

  test('the rfc5424 sshd prefix matches the sample lines quickly', {
    skip: !existsSync('/etc/fail2ban/filter.d/sshd.conf') && 'fail2ban is not installed',
  }, () => {
    const stock = JSON.parse(runPython('stock_patterns.py', '', PYTHON)) as {
      patterns: { pattern: string; kind: string; filters: string[] }[];
      samples: Record<string, string[]>;
    };
    const prefixes = stock.patterns.filter((p) => p.kind === 'prefregex' && p.filters.includes('sshd') && p.pattern.includes('(?:\\[(?:[^\\]"]*|"[^"]*")*\\])+'));
    assert.ok(prefixes.length > 0, 'no rfc5424 prefregex found');
    // As the filter sees them: the datepattern ^<\d+>\d+\s+{DATE} has cut out "<38>1 <date>".
    const lines: string[] = [];
    for (const l of stock.samples['sshd']!) {
      const at = l.indexOf(']: ');
      if (at < 0) continue;
      const msg = l.slice(at + 3);
      lines.push(` host.example.com sshd 57915 - - ${msg}\n`);
      lines.push(` host.example.com sshd 57915 - [meta a="1" b="x]y"][id z="2"] ${msg}\n`);
    }
    for (const p of prefixes) {
      const regex = translate(p.pattern).regex;
      let matched = 0;
      const ms = elapsed(() => {
        for (const l of lines) if (regex.exec(l) !== null) matched++;
      });
      assert.equal(matched, lines.length);
      assert.ok(ms < 100, `${lines.length} lines took ${ms.toFixed(1)} ms`);
    }
  });
});
