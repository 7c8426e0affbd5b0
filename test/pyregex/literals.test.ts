import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { requiredLiterals, translate } from '../../src/filter/pyregex/index.js';
import { PYTHON, runPython } from './oracle.js';
import { Random } from './randomPatterns.js';

describe('required literals', () => {
  const cases: readonly [string, string[] | null, string][] = [
    ['^Failed \\S+ for (?P<user>\\S+) from', ['Failed '], 'the longest run of a sequence'],
    ['^(?:abc|defg) x', ['abc x', 'defg x'], 'an alternation gives the union of its branches, joined with what follows'],
    ['^Received (?P<x>disconnect) from', ['Received disconnect from'], 'a group does not break a run'],
    ['^[iI](?:llegal|nvalid) user', ['Illegal user', 'Invalid user', 'illegal user', 'invalid user'], 'small classes and alternations multiply out'],
    ['(?i)fai', null, 'a letter with more than two case forms (i: I, i, dotless, dotted) breaks a run'],
    ['(?i)fa(?-i:iled)', ['iled'], 'a plain literal beats the case variants of a slightly longer one'],
    ['(?i:user) from (?i:host)', [' from '], 'a folded part breaks a run'],
    ['(?:abcdef)?xyz', ['xyz'], 'optional parts give nothing'],
    ['(?:abcdef)*xyz', ['xyz'], 'starred parts give nothing'],
    ['(?:abcdef)+', ['abcdef'], 'a part repeated at least once counts'],
    ['a|bcd', null, 'a branch without a literal of three characters gives up'],
    ['x(?=abcd)', ['abcd'], 'a lookahead\'s text is in the subject too'],
    ['(?!abcd)xy', null, 'a negative lookahead gives nothing'],
    ['(a)?(?(1)abcd|efgh)', ['abcd', 'efgh'], 'a conditional gives both branches'],
    ['\\x41BC\\u00e9', ['ABCé'], 'escapes are literal characters'],
    ['ab\\bcd', ['abcd'], 'zero-width assertions do not split a run'],
    ['(?:abc|abcd|xabcx)-', ['abc-', 'abcd-', 'xabcx-'], 'alternatives are joined with what follows'],
    ['(?:abc|xabc)', ['abc'], 'a literal containing another is dropped'],
  ];
  for (const [pattern, expected, why] of cases) {
    test(`${why}: ${pattern}`, () => {
      assert.deepEqual(requiredLiterals(pattern), expected);
    });
  }

  test('every subject a pattern matches contains one of its literals (mutated stock log lines)', {
    skip: !existsSync('/etc/fail2ban/filter.d') && 'fail2ban is not installed',
  }, () => {
    const stock = JSON.parse(runPython('stock_patterns.py', '', PYTHON)) as {
      patterns: { pattern: string; flags: number; filters: string[] }[];
      samples: Record<string, string[]>;
    };
    const r = new Random(7);
    let matched = 0;
    let checked = 0;
    for (const p of stock.patterns) {
      const opts = { multiline: (p.flags & 8) !== 0 };
      const literals = requiredLiterals(p.pattern, opts);
      if (literals === null) continue;
      const regex = translate(p.pattern, opts).regex;
      for (const line of p.filters.flatMap((f) => stock.samples[f] ?? []).flatMap(suffixes)) {
        for (let k = 0; k < 3; k++) {
          const s = (k === 0 ? line : mutate(r, line)) + '\n';
          checked++;
          if (regex.exec(s) === null) continue;
          matched++;
          assert.ok(literals.some((l) => s.includes(l)), `${p.pattern} matches ${JSON.stringify(s)} without any of ${JSON.stringify(literals)}`);
        }
      }
    }
    assert.ok(matched > 500, `only ${matched} of ${checked} mutated lines matched`);
  });
});

/** The line and what follows each of its first spaces (where a date or a prefix may end). */
function suffixes(line: string): string[] {
  const out = [line];
  for (let i = line.indexOf(' '), n = 0; i >= 0 && n < 6; i = line.indexOf(' ', i + 1), n++) out.push(line.slice(i + 1));
  return out;
}

/** Small random edits: deleted, doubled, replaced or case-flipped characters. */
function mutate(r: Random, line: string): string {
  const chars = Array.from(line);
  const edits = r.int(3);
  for (let e = 0; e < edits && chars.length > 0; e++) {
    const i = r.int(chars.length);
    const c = chars[i]!;
    switch (r.int(4)) {
      case 0: chars.splice(i, 1); break;
      case 1: chars.splice(i, 0, c); break;
      case 2: chars[i] = r.pick([' ', ':', 'x', '1', '[', '"']); break;
      default: chars[i] = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase(); break;
    }
  }
  return chars.join('');
}
