/**
 * The set of characters a Python literal, class or category matches under the active flags.
 *
 * Case-insensitive matching follows CPython's sre exactly, quirks included: the subject character
 * is lower-cased and compared with a pattern-side set built from the lower-cased pattern
 * characters plus the `_casefix` extras (so `(?i)i` also matches U+0131 and U+0130), while
 * characters outside the Basic Multilingual Plane inside a class are compared without folding
 * (so `(?i)[\U00010400x]` does not match U+10400 itself). Python's `(?a)` folds ASCII only.
 */
import { CodePointSet } from './codePointSet.js';
import {
  ASCII_DIGIT, ASCII_SPACE, ASCII_WORD, UNICODE_DIGIT, UNICODE_FIXES, UNICODE_LOWER, UNICODE_SPACE,
  UNICODE_UPPER, UNICODE_WORD, asciiIsCased, asciiLower, unicodeIsCased, unicodeLower,
} from './unicodeTables.js';

export type Category = 'd' | 'D' | 'w' | 'W' | 's' | 'S';

/** One member of a Python class `[...]` as the parser read it. */
export type ClassItem =
  | { readonly t: 'lit'; readonly c: number }
  | { readonly t: 'range'; readonly lo: number; readonly hi: number }
  | { readonly t: 'cat'; readonly cat: Category };

export interface CharFlags {
  readonly ignoreCase: boolean;
  /** Python's ASCII flag (?a): ASCII-only classes and ASCII-only case folding. */
  readonly ascii: boolean;
}

const BMP_END = 0xffff;

interface Folding {
  lower(c: number): number;
  isCased(c: number): boolean;
  readonly fixes: ReadonlyMap<number, readonly number[]> | undefined;
  /** All code points that lower() changes. */
  readonly changed: CodePointSet;
  readonly pairs: ReadonlyMap<number, number>;
  /** All code points isCased() accepts. */
  readonly cased: CodePointSet;
}

const ASCII_PAIRS = new Map<number, number>();
for (let c = 0x41; c <= 0x5a; c++) ASCII_PAIRS.set(c, c + 32);

const UNICODE_FOLDING: Folding = {
  lower: unicodeLower,
  isCased: unicodeIsCased,
  fixes: UNICODE_FIXES,
  changed: CodePointSet.fromRanges([...UNICODE_LOWER.keys()].flatMap((c) => [c, c])),
  pairs: UNICODE_LOWER,
  cased: CodePointSet.fromRanges([...UNICODE_LOWER.keys(), ...UNICODE_UPPER.keys()].flatMap((c) => [c, c])),
};

const ASCII_FOLDING: Folding = {
  lower: asciiLower,
  isCased: asciiIsCased,
  fixes: undefined,
  changed: CodePointSet.range(0x41, 0x5a),
  pairs: ASCII_PAIRS,
  cased: CodePointSet.fromRanges([0x41, 0x5a, 0x61, 0x7a]),
};

const CATEGORY_SETS: Readonly<Record<Category, readonly [CodePointSet, CodePointSet]>> = {
  d: [UNICODE_DIGIT, ASCII_DIGIT],
  D: [UNICODE_DIGIT.complement(), ASCII_DIGIT.complement()],
  w: [UNICODE_WORD, ASCII_WORD],
  W: [UNICODE_WORD.complement(), ASCII_WORD.complement()],
  s: [UNICODE_SPACE, ASCII_SPACE],
  S: [UNICODE_SPACE.complement(), ASCII_SPACE.complement()],
};

/** \d \D \w \W \s \S under Python's Unicode or ASCII (?a) meaning. */
function categorySet(cat: Category, ascii: boolean): CodePointSet {
  return CATEGORY_SETS[cat][ascii ? 1 : 0];
}

/** The word characters \b looks at. */
export function wordSet(ascii: boolean): CodePointSet {
  return ascii ? ASCII_WORD : UNICODE_WORD;
}

/** Characters whose lower-case form lands in `target`: what a folded comparison accepts. */
function foldPreimage(target: CodePointSet, f: Folding): CodePointSet {
  const extra: number[] = [];
  for (const [c, l] of f.pairs) if (target.has(l)) extra.push(c, c);
  return target.minus(f.changed).union(CodePointSet.fromRanges(extra));
}

/** Lower-cased forms of the members of `set`, plus the extra equivalents of those forms. */
function foldImage(set: CodePointSet, f: Folding): CodePointSet {
  const flat: number[] = [];
  for (const [c, l] of f.pairs) if (set.has(c)) flat.push(l, l);
  let image = set.minus(f.changed).union(CodePointSet.fromRanges(flat));
  if (f.fixes !== undefined) {
    const extra: number[] = [];
    for (const [k, alts] of f.fixes) if (image.has(k)) for (const a of alts) extra.push(a, a);
    image = image.union(CodePointSet.fromRanges(extra));
  }
  return image;
}

const memo = new Map<string, CodePointSet>();

/** Sets are immutable and patterns repeat themselves (date templates fold hundreds of literals). */
function memoized(key: string, compute: () => CodePointSet): CodePointSet {
  let set = memo.get(key);
  if (set === undefined) {
    if (memo.size > 5000) memo.clear();
    set = compute();
    memo.set(key, set);
  }
  return set;
}

/** A pattern literal (or, negated, `[^c]`), as sre's LITERAL / NOT_LITERAL opcodes match it. */
export function literalSet(c: number, negate: boolean, flags: CharFlags): CodePointSet {
  if (!flags.ignoreCase) return negate ? CodePointSet.of(c).complement() : CodePointSet.of(c);
  return memoized(`l${c}${negate ? '^' : ''}${flags.ascii ? 'a' : 'u'}`, () => foldedLiteral(c, negate, flags));
}

function foldedLiteral(c: number, negate: boolean, flags: CharFlags): CodePointSet {
  let set: CodePointSet;
  const f = flags.ascii ? ASCII_FOLDING : UNICODE_FOLDING;
  if (!flags.ignoreCase || !f.isCased(c)) {
    set = CodePointSet.of(c);
  } else {
    const lo = f.lower(c);
    set = foldPreimage(CodePointSet.of(lo, ...(f.fixes?.get(lo) ?? [])), f);
  }
  return negate ? set.complement() : set;
}

/** A class `[...]` / `[^...]`, as sre's IN / IN_IGNORE / IN_UNI_IGNORE opcodes match it. */
export function classSet(items: readonly ClassItem[], negate: boolean, flags: CharFlags): CodePointSet {
  const key = `c${negate ? '^' : ''}${flags.ignoreCase ? 'i' : ''}${flags.ascii ? 'a' : 'u'}${JSON.stringify(items)}`;
  return memoized(key, () => computeClass(items, negate, flags));
}

function computeClass(items: readonly ClassItem[], negate: boolean, flags: CharFlags): CodePointSet {
  const plain: number[] = [];
  let categories = CodePointSet.EMPTY;
  for (const item of items) {
    if (item.t === 'lit') plain.push(item.c, item.c);
    else if (item.t === 'range') plain.push(item.lo, item.hi);
    else categories = categories.union(categorySet(item.cat, flags.ascii));
  }
  if (!flags.ignoreCase) {
    const set = CodePointSet.fromRanges(plain).union(categories);
    return negate ? set.complement() : set;
  }
  const f = flags.ascii ? ASCII_FOLDING : UNICODE_FOLDING;
  // Pattern side, in lower-cased space (sre's charmap plus its "tail" of wide items).
  let folded = CodePointSet.EMPTY;
  let hasCased = false;
  let wide = CodePointSet.EMPTY;
  for (const item of items) {
    if (item.t === 'cat') continue;
    const lo = item.t === 'lit' ? item.c : item.lo;
    const hi = item.t === 'lit' ? item.c : item.hi;
    if (lo <= BMP_END) {
      const bmp = CodePointSet.range(lo, Math.min(hi, BMP_END));
      folded = folded.union(foldImage(bmp, f));
      if (bmp.intersects(f.cased)) hasCased = true;
    }
    if (hi > BMP_END) {
      // sre keeps wide members unfolded; a wide range is compared with RANGE_UNI_IGNORE.
      hasCased = true;
      wide = wide.union(item.t === 'lit' ? CodePointSet.of(item.c) : wideRangeFolded(item.lo, item.hi));
    }
  }
  if (!hasCased) {
    // No cased member: sre compares the subject unfolded against the plain set.
    const set = CodePointSet.fromRanges(plain).union(categories);
    return negate ? set.complement() : set;
  }
  let target = folded.union(wide).union(categories);
  if (negate) target = target.complement();
  return foldPreimage(target, f);
}

/** sre's RANGE_UNI_IGNORE: the folded subject character or its upper case lies in lo..hi. */
function wideRangeFolded(lo: number, hi: number): CodePointSet {
  const extra: number[] = [];
  for (const [c, u] of UNICODE_UPPER) if (u >= lo && u <= hi) extra.push(c, c);
  return CodePointSet.range(lo, hi).union(CodePointSet.fromRanges(extra));
}

/**
 * Characters that a case-insensitive back-reference may match differently from an exact one:
 * those sharing their lower-case form with another character.
 */
export function foldAmbiguous(ascii: boolean): CodePointSet {
  if (ascii) return CodePointSet.fromRanges([0x41, 0x5a, 0x61, 0x7a]);
  return UNICODE_AMBIGUOUS;
}

const UNICODE_AMBIGUOUS = ((): CodePointSet => {
  const flat: number[] = [];
  for (const [c, l] of UNICODE_LOWER) flat.push(c, c, l, l);
  return CodePointSet.fromRanges(flat);
})();
