/**
 * Corners of Python's syntax (verbose mode, braces, classes, escapes, flags), each run on a few
 * subjects and compared with Python's answer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResult, pythonAvailable, pythonSearch, translateFor } from './oracle.js';

const SUBJECTS = ['a b', 'ab', 'a{1,2}', 'a{ 1}', 'aa', ']', '-', 'x]y', '\b', '\\', '\x7f', 'A', 'é', '0', '\x00\x38', '\x018', 'K', 'k'];

const PATTERNS: readonly string[] = [
  // verbose mode
  '(?x) a b # comment', '(?x)[ a]', '(?x)a{1, 2}', '(?x)a {2}', '(?x)a\\ b', '(?x)#c\n(?i)a', '(?x) (?i)a', '(?x:a b)|c d',
  '(?x)a#b|c', '(?-x:a b)',
  // braces
  'a{1,2}', 'a{,2}', 'a{1,}', 'a{}', 'a{ 1}', 'a{1,2', '{', '}', 'a{1}{', 'x{0}', 'a{,}',
  // classes
  '[]]', '[^]]', '[a-]', '[-a]', '[\\d-]', '[]-a]', '[\\b]', '[\\]]', '[\\\\]', '[\\x7f]', '[^\\W\\d]', '[\\w&&a]', '[a-a]',
  '[--]', '[[]', '[^a-z\\s]', '[\\000-\\x08]', '[\\0]',
  // escapes
  '\\0', '\\08', '\\177', '\\x7f', '\\u0041', '\\U00000041', '\\\\', '\\-', '\\]', '\\b', '\\B', '\\Aa', 'a\\Z',
  // groups and flags
  '(?:)', '()', '(|)', 'a||b', '(?i:(?-i:a)b)', '(?a:\\w)\\w', '(?#x)(?i)a', '(?i)(?#x)k', '(?u)\\w', '(?s:.)', '(?m:^a)',
  '(?P<n>a)(?P=n)', '(a)(?(1)a|b)', '(?:a|b|[c])', '(?:ab|ac)', '(?i)(?:k|x)', '(?:a|)', 'a|', '|a',
];

describe('corners of Python syntax', { skip: !pythonAvailable() && 'python3 is not available' }, () => {
  test('each pattern answers like Python on every subject', () => {
    const answers = pythonSearch(PATTERNS.map((pattern) => ({ pattern, subjects: SUBJECTS })));
    const diffs: string[] = [];
    PATTERNS.forEach((pattern, i) => {
      const a = answers[i]!;
      assert.ok(!('error' in a), `Python rejects ${pattern}: ${'error' in a ? a.error : ''}`);
      const c = translateFor(pattern, 0);
      SUBJECTS.forEach((s, j) => {
        const diff = compareResult(c, s, a.results[j]!);
        if (diff !== undefined) diffs.push(`${JSON.stringify(pattern)} on ${JSON.stringify(s)}: ${diff}`);
      });
    });
    assert.deepEqual(diffs, []);
  });
});
