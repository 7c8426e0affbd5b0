/**
 * Immutable sets of Unicode code points, kept as sorted, disjoint, non-adjacent ranges.
 *
 * Every character-matching piece of a Python pattern (a literal, `.`, a class, `\w` …) becomes one
 * of these once Python's flags are applied, so the JavaScript side never relies on V8's own idea of
 * case folding or Unicode properties.
 */

export const MAX_CODE_POINT = 0x10ffff;

export class CodePointSet {
  /** Flat list lo0, hi0, lo1, hi1 … (inclusive bounds). */
  readonly ranges: readonly number[];

  private constructor(ranges: readonly number[]) {
    this.ranges = ranges;
  }

  static readonly EMPTY = new CodePointSet([]);
  static readonly ALL = new CodePointSet([0, MAX_CODE_POINT]);

  static of(...codePoints: number[]): CodePointSet {
    const flat: number[] = [];
    for (const c of codePoints) flat.push(c, c);
    return CodePointSet.fromRanges(flat);
  }

  static range(lo: number, hi: number): CodePointSet {
    return lo > hi ? CodePointSet.EMPTY : new CodePointSet([lo, hi]);
  }

  /** From unsorted, possibly overlapping pairs lo, hi, lo, hi … */
  static fromRanges(flat: readonly number[]): CodePointSet {
    const pairs: [number, number][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [lo, hi] of pairs) {
      const n = out.length;
      if (n > 0 && lo <= out[n - 1]! + 1) {
        if (hi > out[n - 1]!) out[n - 1] = hi;
      } else {
        out.push(lo, hi);
      }
    }
    return new CodePointSet(out);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Number of ranges (not of code points). */
  get rangeCount(): number {
    return this.ranges.length / 2;
  }

  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1]! - this.ranges[i]! + 1;
    return n;
  }

  /** The code point if the set holds exactly one, else undefined. */
  get single(): number | undefined {
    return this.ranges.length === 2 && this.ranges[0] === this.ranges[1] ? this.ranges[0] : undefined;
  }

  has(c: number): boolean {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < r[2 * mid]!) hi = mid - 1;
      else if (c > r[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: CodePointSet): CodePointSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return CodePointSet.fromRanges([...this.ranges, ...other.ranges]);
  }

  complement(): CodePointSet {
    const out: number[] = [];
    let next = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const lo = this.ranges[i]!;
      if (lo > next) out.push(next, lo - 1);
      next = this.ranges[i + 1]! + 1;
    }
    if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
    return new CodePointSet(out);
  }

  intersect(other: CodePointSet): CodePointSet {
    const a = this.ranges;
    const b = other.ranges;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = Math.max(a[i]!, b[j]!);
      const hi = Math.min(a[i + 1]!, b[j + 1]!);
      if (lo <= hi) out.push(lo, hi);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return new CodePointSet(out);
  }

  minus(other: CodePointSet): CodePointSet {
    return this.intersect(other.complement());
  }

  intersects(other: CodePointSet): boolean {
    return !this.intersect(other).isEmpty;
  }

  equals(other: CodePointSet): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    for (let i = 0; i < this.ranges.length; i++) if (this.ranges[i] !== other.ranges[i]) return false;
    return true;
  }

  /** Calls fn for every code point (only for small sets). */
  forEach(fn: (c: number) => void): void {
    for (let i = 0; i < this.ranges.length; i += 2) {
      for (let c = this.ranges[i]!; c <= this.ranges[i + 1]!; c++) fn(c);
    }
  }
}
