/**
 * Random patterns and subjects, compared with Python's `re`: every translated pattern must give
 * Python's answer, syntax errors must be Python's, and the required literals must be present in
 * every subject that matches. Seeded, so a failure can be replayed; PYREGEX_FUZZ=n runs n patterns.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogjailError } from '../../src/errors.js';
import { requiredLiterals } from '../../src/filter/pyregex/index.js';
import { compareResult, pythonAvailable, pythonSearch, referenceFixed, translateFor, optionsFor, type OracleCase } from './oracle.js';
import { Random, randomPattern, randomSubject } from './randomPatterns.js';

const COUNT = Number(process.env['PYREGEX_FUZZ'] ?? 1500);
const SEED = Number(process.env['PYREGEX_SEED'] ?? 20240601);

describe('random patterns against Python', { skip: !pythonAvailable() && 'python3 is not available' }, () => {
  test('translated patterns answer like Python, and untranslatable ones are reported', () => {
    const r = new Random(SEED);
    const cases: OracleCase[] = [];
    for (let i = 0; i < COUNT; i++) {
      const pattern = randomPattern(r, { references: true, possessive: referenceFixed });
      const subjects = Array.from({ length: 10 }, () => randomSubject(r));
      cases.push({ pattern, flags: r.chance(0.1) ? 2 : r.chance(0.1) ? 8 : 0, subjects });
    }
    const answers = pythonSearch(cases);
    const diffs: string[] = [];
    let unsupported = 0;
    let compared = 0;
    let matches = 0;
    cases.forEach((c, i) => {
      const a = answers[i]!;
      let compiled;
      try {
        compiled = translateFor(c.pattern, c.flags);
      } catch (e) {
        assert.ok(e instanceof LogjailError, String(e));
        if ('error' in a) {
          assert.equal(e.code, 'LJ201', `${c.pattern}: Python says ${a.error}`);
          assert.ok(e.detail.includes(a.error), `${c.pattern}: Python says "${a.error}", logjail "${e.detail}"`);
        } else {
          assert.equal(e.code, 'LJ202', `${c.pattern} is valid Python: ${e.message}`);
          unsupported++;
        }
        return;
      }
      assert.ok(!('error' in a), `${c.pattern} translated but Python says ${'error' in a ? a.error : ''}`);
      const literals = requiredLiterals(c.pattern, optionsFor(c.flags));
      c.subjects.forEach((s, j) => {
        compared++;
        const expected = a.results[j]!;
        if (expected !== null) matches++;
        const diff = compareResult(compiled, s, expected);
        if (diff !== undefined && diffs.length < 10) diffs.push(`${JSON.stringify(c.pattern)} flags ${c.flags ?? 0} on ${JSON.stringify(s)}: ${diff}`);
        if (expected !== null && literals !== null) {
          assert.ok(literals.some((l) => s.includes(l)), `${c.pattern} matches ${JSON.stringify(s)} without any of ${JSON.stringify(literals)}`);
        }
      });
    });
    assert.deepEqual(diffs, []);
    // Keep the test meaningful: most patterns translate, and many subjects match.
    assert.ok(unsupported < COUNT * 0.2, `${unsupported} of ${COUNT} random patterns were not translated`);
    assert.ok(matches > compared * 0.2, `only ${matches} of ${compared} searches matched`);
  });
});
