import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { groupValue, translate } from '../../src/filter/pyregex/index.js';
import { CONSTRUCTS, type ConstructCase } from './cases.js';
import { optionsFor, pythonAvailable, pythonSearch } from './oracle.js';

function translated(c: ConstructCase, unicode = true): (string | null)[] | null {
  const compiled = translate(c.pattern, { ...optionsFor(c.flags), unicode });
  const m = compiled.regex.exec(c.subject);
  if (m === null) return null;
  return [m[0], ...compiled.numbered.slice(1).map((js) => groupValue(m, js) ?? null)];
}

/**
 * What copying the pattern into JavaScript with only the obvious syntax changes would give,
 * without and with the `u` flag.
 */
function naive(c: ConstructCase): ((string | null)[] | null | 'error')[] {
  const source = c.pattern.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  const flags = ((c.flags ?? 0) & 2 ? 'i' : '') + ((c.flags ?? 0) & 8 ? 'm' : '');
  return ['', 'u'].map((u) => {
    try {
      const m = new RegExp(source, flags + u).exec(c.subject);
      return m === null ? null : [...m].map((v) => v ?? null);
    } catch {
      return 'error';
    }
  });
}

describe('constructs that JavaScript reads differently', () => {
  test('the expectations in the table are what Python answers', { skip: !pythonAvailable() }, () => {
    const answers = pythonSearch(CONSTRUCTS.map((c) => ({ pattern: c.pattern, flags: c.flags ?? 0, subjects: [c.subject] })));
    CONSTRUCTS.forEach((c, i) => {
      const a = answers[i]!;
      assert.ok(!('error' in a), `${c.name}: Python rejects ${c.pattern}`);
      const spans = a.results[0]!;
      const chars = Array.from(c.subject);
      const python = spans === null ? null : spans.map((s) => (s === null ? null : chars.slice(s[0], s[1]).join('')));
      assert.deepEqual(python, c.expect, c.name);
    });
  });

  for (const c of CONSTRUCTS) {
    test(`${c.name}: ${c.pattern}`, () => {
      if (c.guards === undefined) {
        assert.ok(naive(c).some((n) => !isDeepStrictEqual(n, c.expect)), 'the subject must tell Python from a naive copy');
      }
      assert.deepEqual(translated(c), c.expect);
      if (/^[\x00-\x7f]*$/.test(c.subject)) assert.deepEqual(translated(c, false), c.expect, 'ASCII variant');
    });
  }
});
