/**
 * Python indexes strings by code point, JS by UTF-16 unit. The detector's bookkeeping (match
 * distances, the characters around the last match) follows fail2ban, so it counts code points;
 * these helpers convert, with a cheap path for the usual text without surrogate pairs.
 */

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Number of code points in s[0, unit). */
export function codePointIndex(s: string, unit: number): number {
  let n = unit;
  for (let i = 1; i < unit; i++) {
    if (isLow(s.charCodeAt(i)) && isHigh(s.charCodeAt(i - 1))) n--;
  }
  return n;
}

/** UTF-16 index of the code point number `cp` (clamped to the string's end). */
export function unitIndex(s: string, cp: number): number {
  let i = 0;
  const len = s.length;
  for (let k = 0; k < cp && i < len; k++) {
    i += isHigh(s.charCodeAt(i)) && i + 1 < len && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** Python's line[p:p+1] as a code point: -1 (empty) when p is negative or past the end. */
export function charAtCodePoint(s: string, p: number): number {
  if (p < 0) return -1;
  // unitIndex stops at the end, so an index inside the string means p code points precede it.
  const i = unitIndex(s, p);
  return i < s.length ? s.codePointAt(i)! : -1;
}

/** Code point starting at UTF-16 index i, -1 past the end. */
export function codePointAt(s: string, i: number): number {
  return i >= 0 && i < s.length ? s.codePointAt(i)! : -1;
}

/** Code point ending just before UTF-16 index i, -1 at the start. */
export function codePointBefore(s: string, i: number): number {
  if (i <= 0 || i > s.length) return -1;
  const c = s.charCodeAt(i - 1);
  if (isLow(c) && i >= 2 && isHigh(s.charCodeAt(i - 2))) return s.codePointAt(i - 2)!;
  return c;
}

const ALNUM = /^[\p{L}\p{N}]$/u;

/** Python str.isalnum() for one code point (-1, the empty string, is not). */
export function isAlnum(cp: number): boolean {
  if (cp < 0) return false;
  if (cp < 128) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  return ALNUM.test(String.fromCodePoint(cp));
}
