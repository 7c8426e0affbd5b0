import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogjailError } from '../../src/errors.js';
import { translate } from '../../src/filter/pyregex/index.js';
import { pythonAvailable, pythonSearch } from './oracle.js';

function failure(pattern: string, context = 'filter test, failregex 1'): LogjailError {
  try {
    translate(pattern, { context });
  } catch (e) {
    assert.ok(e instanceof LogjailError, `not a LogjailError: ${String(e)}`);
    return e;
  }
  assert.fail(`${pattern} translated`);
}

/** Patterns Python refuses, with the message Python gives. */
const SYNTAX_ERRORS: readonly [string, string][] = [
  ['(?i', 'missing -, : or ) at position 3'],
  ['(?', 'unexpected end of pattern at position 2'],
  ['(?Px', 'unknown extension ?Px at position 1'],
  ['(?P<', 'missing group name at position 4'],
  ['(?P<a', 'missing >, unterminated name at position 4'],
  ['(?P<1a>x)', "bad character in group name '1a' at position 4"],
  ['(?P=a)', "unknown group name 'a' at position 4"],
  ['(?<x)', 'unknown extension ?<x at position 1'],
  ['(?(a)x)', "unknown group name 'a' at position 3"],
  ['(a)(?(1)x|y|z)', 'conditional backref with more than two branches at position 11'],
  ['a)', 'unbalanced parenthesis at position 1'],
  ['(', 'missing ), unterminated subpattern at position 0'],
  ['[a', 'unterminated character set at position 0'],
  ['[z-a]', 'bad character range z-a at position 1'],
  ['[\\w-a]', 'bad character range \\w-a at position 1'],
  ['\\', 'bad escape (end of pattern) at position 0'],
  ['\\q', 'bad escape \\q at position 0'],
  ['[\\A]', 'bad escape \\A at position 1'],
  ['\\8', 'invalid group reference 8 at position 1'],
  ['\\400', 'octal escape value \\400 outside of range 0-0o377 at position 0'],
  ['\\x1', 'incomplete escape \\x1 at position 0'],
  ['\\U00110000', 'bad escape \\U00110000 at position 0'],
  ['(?-a:x)', "bad inline flags: cannot turn off flags 'a', 'u' and 'L' at position 4"],
  ['(?i-i:x)', 'bad inline flags: flag turned on and off at position 5'],
  ['(?L)a', "bad inline flags: cannot use 'L' flag with a str pattern at position 3"],
  ['(?i)(?a)(?u)x', 'ASCII and UNICODE flags are incompatible'],
  ['a(?i)', 'global flags not at the start of the expression at position 1'],
  ['(?#abc', 'missing ), unterminated comment at position 0'],
  ['x{2,1}', 'min repeat greater than max repeat at position 2'],
  ['x**', 'multiple repeat at position 2'],
  ['\\b*', 'nothing to repeat at position 2'],
  ['a|*', 'nothing to repeat at position 2'],
  ['{1}', 'nothing to repeat at position 0'],
  ['\\18', 'invalid group reference 18 at position 1'],
  ['x{99999999999}', 'the repetition number is too large'],
  ['(?<=a*)b', 'look-behind requires fixed-width pattern'],
  ['(?<=(a)\\1)', 'cannot refer to group defined in the same lookbehind subpattern at position 9'],
  ['(?P<a>x)(?P<a>y)', "redefinition of group name 'a' as group 2; was group 1 at position 12"],
  ['\\1(a)', 'invalid group reference 1 at position 1'],
  ['(a\\1)', 'cannot refer to an open group at position 2'],
  ['(?(2)a|b)(c)', 'invalid group reference 2 at position 3'],
];

/** Valid Python that the translator refuses, rather than translating it approximately. */
const UNSUPPORTED: readonly [string, RegExp][] = [
  ['(?:(a)|b(?(1)x|y))+', /conditional on group 1 is inside a repetition/],
  ['(?i)(s)\\1', /case-insensitive back-reference to group 1/],
  ['(?:|a)*', /body can match the empty string before trying a non-empty alternative/],
  ['(a*)*', /repeated group that can match the empty string/],
  ['(?<=(?:(a)){2})', /group 1 is repeated inside a lookbehind/],
  ['\\N{EM DASH}', /named character escape \\N\{EM DASH\}/],
  ['(?:x(a)|y)*\\1', /back-reference to group 1 depends on a group set inside a repetition/],
  ['(?:x(a)\\1|y)*', /can be skipped by some iterations .* a back-reference refers to such a group/],
  ['((a)|b)*+c(?(2)d)', /possessive/],
];

describe('pattern errors', () => {
  for (const [pattern, message] of SYNTAX_ERRORS) {
    test(`${pattern} is a syntax error: ${message}`, () => {
      const e = failure(pattern);
      assert.equal(e.code, 'LJ201');
      assert.ok(e.detail.startsWith(`filter test, failregex 1: ${message}`), e.detail);
    });
  }

  test('the syntax-error messages are the ones Python gives', { skip: !pythonAvailable() }, () => {
    const answers = pythonSearch(SYNTAX_ERRORS.map(([pattern]) => ({ pattern, subjects: [] })));
    SYNTAX_ERRORS.forEach(([pattern, message], i) => {
      const a = answers[i]!;
      assert.ok('error' in a, `Python accepts ${pattern}`);
      assert.equal(a.error, message);
    });
  });

  for (const [pattern, reason] of UNSUPPORTED) {
    test(`${pattern} is reported as not translatable`, () => {
      const e = failure(pattern);
      assert.equal(e.code, 'LJ202');
      assert.match(e.detail, reason);
      assert.ok(e.detail.startsWith('filter test, failregex 1: '), e.detail);
    });
  }

  test('the refused patterns are valid Python', { skip: !pythonAvailable() }, () => {
    const answers = pythonSearch(UNSUPPORTED.map(([pattern]) => ({ pattern, subjects: ['x'] })));
    UNSUPPORTED.forEach(([pattern], i) => assert.ok(!('error' in answers[i]!), pattern));
  });

  test('an error names the position and quotes the pattern from there', () => {
    const e = failure('^Failed (?:(?P<u>\\w+)|-)+ (?(u)x|y)', 'filter sshd, failregex 4');
    assert.match(e.detail, /^filter sshd, failregex 4: conditional on group 'u' .* at position 26: …">\\\\w\+\)\|-\)\+ \(\?\(u\)x\|y\)"$/);
  });

  test('a syntax error in a long pattern quotes the spot, not the whole pattern', () => {
    const e = failure(`^${'x'.repeat(200)}(?P<1>a)`);
    assert.match(e.detail, /at position 205: …"x{6}\(\?P<1>a\)"$/);
  });

  test('errors do not carry stack traces into messages', () => {
    const e = failure('[a');
    assert.doesNotMatch(e.message, /\n\s+at /);
    assert.equal(e.exitCode, 78);
  });
});
