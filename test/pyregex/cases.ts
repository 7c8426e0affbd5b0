/**
 * Constructs whose Python meaning differs from what a naive JavaScript copy of the pattern would
 * do, each with a subject showing the difference and Python's answer (checked against Python
 * itself by constructs.test.ts, so the table cannot drift from the reference).
 */

export interface ConstructCase {
  readonly name: string;
  readonly pattern: string;
  /** Python flags: 2 IGNORECASE, 8 MULTILINE. */
  readonly flags?: number;
  readonly subject: string;
  /** Python's result: null for no match, else group 0 and every group (null: did not take part). */
  readonly expect: null | readonly (string | null)[];
  /**
   * Set when a naive JavaScript copy happens to agree: the case then guards the translation
   * against over-correcting (the reason says against what).
   */
  readonly guards?: string;
}

export const CONSTRUCTS: readonly ConstructCase[] = [
  // anchors
  { name: '$ matches before a final newline', pattern: 'ssh2$', subject: 'port 22 ssh2\n', expect: ['ssh2'] },
  { name: '$ does not match before an inner newline without MULTILINE', pattern: 'a$', subject: 'a\nb\n', expect: null, guards: '$ read as "before any newline"' },
  { name: '$ with MULTILINE ignores \\r as a line break', pattern: 'a$', flags: 8, subject: 'a\rb', expect: null },
  { name: '^ with MULTILINE matches only after \\n, not after \\u2028', pattern: '^b', flags: 8, subject: 'a\u2028b', expect: null },
  { name: '^ with MULTILINE matches after \\n', pattern: '^b', flags: 8, subject: 'a\nb', expect: ['b'], guards: 'a line start that misses \\n' },
  { name: '\\Z is the very end, not before a final newline', pattern: 'a\\Z', subject: 'aZ\n', expect: null },
  { name: '\\A is the start even with MULTILINE', pattern: '\\Ab', flags: 8, subject: 'b\nAb', expect: ['b'] },
  // dot and classes
  { name: '. matches \\r and \\u2028', pattern: 'a.b', subject: 'a\rb a\u2028b', expect: ['a\rb'] },
  { name: '. counts an astral character as one', pattern: '^.$', subject: '😀', expect: ['😀'] },
  { name: '(?s) lets . match a newline', pattern: '(?s)a.b', subject: 'a\nb', expect: ['a\nb'] },
  { name: '[^]...] keeps ] as a member', pattern: '\\[[^]]+\\]', subject: '[x]]', expect: ['[x]'] },
  { name: '[^[] is a class without [', pattern: '^[^[]*\\[', subject: 'ab[c', expect: ['ab['], guards: 'class syntax of the v flag' },
  { name: '{,n} is {0,n}', pattern: 'x\\d{,3}y', subject: 'x12y', expect: ['x12y'] },
  { name: 'a lone { is a literal', pattern: '{[^}]+}', subject: 'a{bc}d', expect: ['{bc}'] },
  { name: '{n,m with no closing brace is literal', pattern: 'a{1,2', subject: 'a{1,2', expect: ['a{1,2'] },
  { name: '\\d matches non-ASCII decimal digits', pattern: '\\d+', subject: 'x٣٤', expect: ['٣٤'] },
  { name: '(?a) restricts \\d to ASCII', pattern: '(?a)\\d', subject: '٣', expect: null },
  { name: '\\w matches letters with accents', pattern: '\\w+', subject: 'héllo', expect: ['héllo'] },
  { name: '\\s matches \\x1c (file separator)', pattern: 'a\\sb', subject: 'a\x1cb', expect: ['a\x1cb'] },
  { name: '\\s does not match U+FEFF', pattern: 'a\\sb', subject: 'a\ufeffb', expect: null },
  { name: '\\b sees accented letters as word characters', pattern: '\\bé.', subject: 'xéa éb', expect: ['éb'] },
  { name: '\\B does not match in an empty string', pattern: '\\B', subject: '', expect: null },
  // escapes
  { name: 'identity escapes of punctuation are literals', pattern: '\\"\\:\\-\\ \\<', subject: '":- <', expect: ['":- <'] },
  { name: 'octal escapes', pattern: '\\101\\0', subject: 'A\0', expect: ['A\0'] },
  { name: '\\x, \\u and \\U escapes', pattern: '\\x41\\u00e9\\U0001F600', subject: 'Aé😀', expect: ['Aé😀'] },
  { name: '\\v and \\a are control characters', pattern: '\\v\\a', subject: '\v\x07', expect: ['\v\x07'] },
  // case-insensitive matching
  { name: '(?i) k matches the Kelvin sign', pattern: '(?i)k', subject: '\u212a', expect: ['\u212a'] },
  { name: '(?i) s matches long s', pattern: '(?i)s', subject: 'ſ', expect: ['ſ'] },
  { name: '(?i) i matches dotless ı', pattern: '(?i)i', subject: 'ı', expect: ['ı'] },
  { name: '(?i) [^k] excludes the Kelvin sign', pattern: '(?i)[^k]', subject: '\u212a', expect: null },
  { name: '(?ai) folds ASCII only', pattern: '(?ai)s', subject: 'ſ', expect: null },
  { name: 'scoped (?i:...) folds only its part', pattern: '(?i:ab)c', subject: 'ABC ABc', expect: ['ABc'] },
  { name: 'scoped (?-i:...) turns folding off', pattern: '(?i)a(?-i:b)', subject: 'AB Ab', expect: ['Ab'] },
  { name: 'IGNORECASE option folds the whole pattern', pattern: 'user', flags: 2, subject: 'uſer', expect: ['uſer'] },
  { name: 'an astral literal in a folded class is compared unfolded', pattern: '(?i)[\\U00010400x]', subject: '\u{10400}', expect: null },
  // groups and numbering
  { name: 'named groups keep their Python numbers', pattern: '(?P<a>x)(y)(?P<_sep>z)', subject: 'xyz', expect: ['xyz', 'x', 'y', 'z'], guards: 'renumbering' },
  { name: 'named back-reference', pattern: '(?P<_sep>[-/])\\d+(?P=_sep)', subject: '1-2/3/', expect: ['/3/', '/'], guards: 'losing the reference' },
  { name: 'back-reference to a group that did not take part fails', pattern: '(a)?b\\1', subject: 'b', expect: null },
  { name: 'numbered back-reference followed by a digit', pattern: '(a)\\1[0]', subject: 'aa0', expect: ['aa0', 'a'], guards: 'writing \\10' },
  { name: 'case-insensitive back-reference to a caseless group', pattern: '(?i)(-)x\\1', subject: '-X-', expect: ['-X-', '-'] },
  { name: 'optional group matching empty takes part', pattern: '(a*)?', subject: 'b', expect: ['', ''] },
  { name: 'group skipped by a later iteration keeps its value', pattern: '(?:(a)|b)+', subject: 'ab', expect: ['ab', 'a'] },
  { name: 'groups of skipped alternatives keep their last values', pattern: '^(?:x=(?P<x>\\w)|y=(?P<y>\\w)|\\w=\\w)(?:, (?:x=(?P<x2>\\w)|y=(?P<y2>\\w)|\\w=\\w))*$', subject: 'x=1, y=2, z=3', expect: ['x=1, y=2, z=3', '1', null, null, '2'] },
  { name: 'a replayed repetition reports the last user', pattern: '^(?:(?:user=(?P<user>[^,]*)|\\w+=[^,]*), )*ip=', subject: 'a=1, user=bob, b=2, ip=', expect: ['a=1, user=bob, b=2, ip=', 'bob'] },
  { name: 'a lazy replayed repetition', pattern: '^(?:(?:user=(?P<user>[^,]*)|\\w+=[^,]*), )*?ip=', subject: 'a=1, user=bob, b=2, ip=', expect: ['a=1, user=bob, b=2, ip=', 'bob'] },
  { name: 'a bounded repetition keeps an inner group of its first iteration', pattern: '( \\d+(\\.\\d+)?(h|m|s|ms)){0,2} -', subject: 'x 1.5h 2m - y', expect: [' 1.5h 2m -', ' 2m', '.5', 'm'] },
  // conditionals
  { name: 'conditional takes yes when the group matched', pattern: '(<)?\\w+(?(1)>|$)', subject: '<ab>', expect: ['<ab>', '<'] },
  { name: 'conditional takes no when the group did not match', pattern: '^(<)?\\w+(?(1)>|$)', subject: 'ab\n', expect: ['ab', null] },
  { name: 'conditional on a group inside an alternative of its group', pattern: '^(?P<u>(?P<c>\\S+)|x y)(?(c): |$)', subject: 'bob: hi', expect: ['bob: ', 'bob', 'bob'] },
  { name: 'conditional with lazy optional group', pattern: '^(a)??a(?(1)X|Y)', subject: 'aaX', expect: ['aaX', 'a'] },
  { name: 'Epoch-style conditional lookahead', pattern: '((?P<square>(?<=^\\[))?\\d{10})(?(square)(?=\\]))', subject: '[1700000000] x', expect: ['1700000000', '1700000000', ''] },
  { name: 'conditional inside its own group sees no value', pattern: '(a(?(1)b|c))', subject: 'ac', expect: ['ac', 'ac'] },
  { name: 'conditional before its group', pattern: '(?(1)a|b)(c)', subject: 'bc', expect: ['bc', 'c'] },
  // repetition details
  { name: 'possessive repetition does not give back', pattern: 'a++a', subject: 'aaa', expect: null },
  { name: 'atomic group does not give back', pattern: '(?>a|ab)c', subject: 'abc', expect: null },
  { name: 'atomic group keeps its inner group', pattern: '(?>(a+))b', subject: 'aab', expect: ['aab', 'aa'] },
  { name: 'quantified lookahead', pattern: '(?=a)*a', subject: 'a', expect: ['a'] },
  // flags and comments
  { name: '(?x) ignores whitespace and comments', pattern: '(?x) a b  # comment\n c', subject: 'abc', expect: ['abc'] },
  { name: '(?#...) is a comment', pattern: 'a(?#note)b', subject: 'ab', expect: ['ab'] },
  { name: 'alternation of characters folds like a class', pattern: '(?i)(?:\\U00010400|x)', subject: '\u{10400}', expect: null },
  // lookbehind
  { name: 'lookbehind with a group', pattern: '(?<=(:))x', subject: 'a:x', expect: ['x', ':'], guards: 'losing lookbehind groups' },
];
