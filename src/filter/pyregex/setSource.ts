/**
 * JavaScript source for one character out of a set: a literal, a shorthand, or a class.
 *
 * Written so that it means the same with and without the `u` flag: only syntax characters are
 * escaped with a backslash, everything else non-printable becomes \\xHH, \\uHHHH or \\u{…}.
 * In ASCII mode (subjects promised to be ASCII) the set is first cut down to ASCII.
 */
import { CodePointSet } from './codePointSet.js';
import { ASCII, ASCII_DIGIT, ASCII_SPACE, ASCII_WORD } from './unicodeTables.js';

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SPECIAL = new Set('\\]^-['.split(''));

/** Cached: Python's \\w alone has hundreds of ranges and occurs everywhere. */
const ASCII_CLASSES = new WeakMap<CodePointSet, string>();
const UNICODE_CLASSES = new WeakMap<CodePointSet, string>();

export function setSource(set: CodePointSet, ascii: boolean): string {
  const cache = ascii ? ASCII_CLASSES : UNICODE_CLASSES;
  let src = cache.get(set);
  if (src === undefined) {
    src = classFor(set, ascii);
    cache.set(set, src);
  }
  return src;
}

function classFor(full: CodePointSet, ascii: boolean): string {
  const s = ascii ? full.intersect(ASCII) : full;
  const single = s.single;
  if (single !== undefined) return literal(single);
  const universe = ascii ? ASCII : CodePointSet.ALL;
  const rest = universe.minus(s);
  if (s.equals(ASCII_DIGIT)) return '\\d';
  if (rest.equals(ASCII_DIGIT)) return '\\D';
  if (s.equals(ASCII_WORD)) return '\\w';
  if (rest.equals(ASCII_WORD)) return '\\W';
  // JavaScript's \\s differs from Python's beyond ASCII, so it only stands in for ASCII sets.
  if (ascii && s.equals(ASCII_SPACE)) return '\\s';
  if (ascii && rest.equals(ASCII_SPACE)) return '\\S';
  if (rest.isEmpty) return '[^]';
  if (s.rangeCount <= rest.rangeCount) return `[${classBody(s)}]`;
  return `[^${classBody(rest)}]`;
}

function classBody(s: CodePointSet): string {
  let out = '';
  const r = s.ranges;
  for (let i = 0; i < r.length; i += 2) {
    const lo = r[i]!;
    const hi = r[i + 1]!;
    out += classChar(lo);
    if (hi > lo) out += (hi > lo + 1 ? '-' : '') + classChar(hi);
  }
  return out;
}

function classChar(c: number): string {
  const ch = String.fromCodePoint(c);
  if (CLASS_SPECIAL.has(ch)) return '\\' + ch;
  return printable(c) ? ch : escape(c);
}

function literal(c: number): string {
  const ch = String.fromCodePoint(c);
  if (SYNTAX.has(ch)) return '\\' + ch;
  return printable(c) ? ch : escape(c);
}

function printable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

function escape(c: number): string {
  if (c <= 0xff) return '\\x' + c.toString(16).padStart(2, '0');
  return c <= 0xffff ? '\\u' + c.toString(16).padStart(4, '0') : '\\u{' + c.toString(16) + '}';
}
