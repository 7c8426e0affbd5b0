/**
 * Python's notion of whitespace, which fail2ban's INI parser uses when it strips values and
 * detects indentation. It differs from JavaScript's trim(): Python counts the information
 * separators U+001C..U+001F and U+0085 as space, but not the byte-order mark U+FEFF.
 */

const PY_SPACE = '\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006' +
  '\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Character class body (for use inside `[...]`) matching what Python's str.isspace() accepts. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

export function isPySpace(ch: string): boolean {
  return ch.length === 1 && PY_SPACE.includes(ch);
}

/** str.strip() */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.includes(s[a]!)) a++;
  while (b > a && PY_SPACE.includes(s[b - 1]!)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** str.rstrip() */
export function pyRstrip(s: string): string {
  let b = s.length;
  while (b > 0 && PY_SPACE.includes(s[b - 1]!)) b--;
  return b === s.length ? s : s.slice(0, b);
}

/** Index of the first non-space character, or -1. */
export function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (!PY_SPACE.includes(s[i]!)) return i;
  return -1;
}
