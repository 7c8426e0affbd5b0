/**
 * Literal pre-filter: skip lines that cannot match any failregex without running the regexes
 * (or converting their dates).
 *
 * Each failregex yields literals one of which every match contains. A line can fail only when
 * its text (with the date cut out, as the regexes see it) contains one of them.
 */

function escape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Drop literals that contain a shorter kept one: any text containing the longer contains the shorter. */
function minimal(lits: Iterable<string>): string[] {
  const sorted = [...new Set(lits)].filter((l) => l.length > 0).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const l of sorted) if (!kept.some((k) => l.includes(k))) kept.push(l);
  return kept;
}

export class LiteralPrefilter {
  /** Literals tested on the date-less text. */
  readonly literals: readonly string[];
  /** Tests the date-less text of a line. */
  readonly exact: RegExp;
  /** `exact` with the g flag: searched from a position (lastIndex) without a slice. */
  private readonly scan: RegExp;
  private readonly newline: boolean;

  private constructor(literals: readonly string[]) {
    this.literals = literals;
    this.exact = new RegExp(literals.map(escape).join('|'));
    this.scan = new RegExp(this.exact.source, 'g');
    this.newline = literals.some((l) => l.includes('\n'));
  }

  /** Can the date-less text pre + post (+ "\n") of a single line contain a literal? */
  test(pre: string, post: string): boolean {
    const t = pre === '' ? post : pre + post;
    return this.exact.test(this.newline ? t + '\n' : t);
  }

  /** test('', line.slice(from)) without the slice. */
  testFrom(line: string, from: number): boolean {
    if (this.newline) return this.exact.test(line.slice(from) + '\n');
    const re = this.scan;
    re.lastIndex = from;
    return re.test(line);
  }

  /** null when some regex has no literal (it could match anything). */
  static from(perRegex: readonly (readonly string[] | null)[]): LiteralPrefilter | null {
    const all: string[] = [];
    for (const lits of perRegex) {
      if (lits === null || lits.length === 0) return null;
      // A part of a literal is as necessary as the whole; without leading spaces the regex
      // need not stop at every space of a line to try them.
      for (const l of lits) {
        const t = l.replace(/^ +/, '');
        all.push(t.length >= 3 ? t : l);
      }
    }
    const kept = minimal(all);
    return kept.length === 0 ? null : new LiteralPrefilter(kept);
  }
}
