/**
 * Python's character tables for str patterns, decoded from the generated unicodeData.ts.
 *
 * Python (not V8) decides what \d, \w, \s and case-insensitive matching mean, and the two disagree
 * (different Unicode versions, different \s, Python's own case-folding rules), so the translator
 * carries Python's tables and expands every class itself.
 *
 * Encodings (written by generate-unicode-data.py):
 * - range lists: space-separated "gap.length" in base 36; a range starts `gap` after the end of the
 *   previous one (after 0 for the first) and spans `length` more code points;
 * - case maps: space-separated "first.count.stride.delta" runs in base 36 (delta signed); `first` is
 *   relative to the previous run's first; code points first + k*stride (k < count) map to c + delta;
 * - FIXES: "lower:alt,alt" entries, the extra case-insensitive equivalents of `re._casefix`.
 */
import { CodePointSet } from './codePointSet.js';
import { DIGIT, FIXES, LOWER, SPACE, UPPER, WORD } from './unicodeData.js';

function decodeRanges(text: string): CodePointSet {
  const flat: number[] = [];
  let prev = 0;
  for (const part of text.split(' ')) {
    const [gap, len] = part.split('.');
    const lo = prev + parseInt(gap!, 36);
    const hi = lo + parseInt(len!, 36);
    flat.push(lo, hi);
    prev = hi;
  }
  return CodePointSet.fromRanges(flat);
}

function decodeMap(text: string): Map<number, number> {
  const map = new Map<number, number>();
  let prev = 0;
  for (const part of text.split(' ')) {
    const [first, count, stride, delta] = part.split('.').map((s) => parseInt(s, 36)) as [number, number, number, number];
    const start = prev + first;
    for (let k = 0; k < count; k++) {
      const c = start + k * stride;
      map.set(c, c + delta);
    }
    prev = start;
  }
  return map;
}

function decodeFixes(text: string): Map<number, readonly number[]> {
  const map = new Map<number, readonly number[]>();
  for (const entry of text.split(' ')) {
    const [key, alts] = entry.split(':');
    map.set(parseInt(key!, 36), alts!.split(',').map((s) => parseInt(s, 36)));
  }
  return map;
}

export const UNICODE_WORD = decodeRanges(WORD);
export const UNICODE_DIGIT = decodeRanges(DIGIT);
export const UNICODE_SPACE = decodeRanges(SPACE);
export const ASCII_WORD = CodePointSet.fromRanges([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
export const ASCII_DIGIT = CodePointSet.range(0x30, 0x39);
export const ASCII_SPACE = CodePointSet.fromRanges([0x09, 0x0d, 0x20, 0x20]);
export const ASCII = CodePointSet.range(0, 0x7f);

/** Python's simple lower-case mapping (`_sre.unicode_tolower`), only entries that change. */
export const UNICODE_LOWER: ReadonlyMap<number, number> = decodeMap(LOWER);
/** First code point of Python's upper-case mapping, only entries that change. */
export const UNICODE_UPPER: ReadonlyMap<number, number> = decodeMap(UPPER);
/** Extra equivalences for case-insensitive matching, keyed by a lower-case code point. */
export const UNICODE_FIXES: ReadonlyMap<number, readonly number[]> = decodeFixes(FIXES);

export function unicodeLower(c: number): number {
  return UNICODE_LOWER.get(c) ?? c;
}

/** `_sre.unicode_iscased`: the character has a different lower or upper case form. */
export function unicodeIsCased(c: number): boolean {
  return UNICODE_LOWER.has(c) || UNICODE_UPPER.has(c);
}

export function asciiLower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

export function asciiIsCased(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
