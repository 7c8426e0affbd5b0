/**
 * Literal pre-filter: skip lines that cannot match any failregex without running the regexes
 * (or even looking for the date).
 *
 * Each failregex yields literals one of which every match contains. A line is a candidate
 * when its text contains one of the literals of one failregex.
 *
 * The date is cut out of a line before the regexes see it, so a literal could span the cut
 * ("pre" + "post") and be absent from the raw line. For scanning raw text (before the date is
 * found) each literal is therefore split into two overlapping halves: wherever the cut falls,
 * one half lies wholly on one side of it and so appears in the raw line.
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
  /** Global regex scanning raw text (dates still in) for candidate lines, whatever the dates. */
  readonly raw: RegExp;
  private readonly rawByPrefix = new Map<number, RegExp>();
  private readonly newline: boolean;

  private constructor(literals: readonly string[]) {
    this.literals = literals;
    this.exact = new RegExp(literals.map(escape).join('|'));
    this.newline = literals.some((l) => l.includes('\n'));
    const halves: string[] = [];
    for (const l of literals) {
      const h = Math.ceil(l.length / 2);
      halves.push(l.slice(0, h), l.slice(l.length - h));
    }
    this.raw = new RegExp(minimal(halves).map(escape).join('|'), 'g');
  }

  /**
   * The raw-text scanner when at most `maxPrefix` non-word characters can precede a date.
   * A literal can then span the cut only with its leading non-word characters: without them
   * (at most maxPrefix of them) it lies wholly after the date, so it is in the raw line.
   */
  rawFor(maxPrefix: number): RegExp {
    if (!(maxPrefix <= 2)) return this.raw;
    let re = this.rawByPrefix.get(maxPrefix);
    if (re === undefined) {
      const lits = this.literals.map((l) => {
        let k = 0;
        while (k < maxPrefix && k < l.length - 1 && !/[A-Za-z0-9_]/.test(l[k]!)) k++;
        return l.slice(k);
      });
      re = new RegExp(minimal(lits).map(escape).join('|'), 'g');
      this.rawByPrefix.set(maxPrefix, re);
    }
    return re;
  }

  /** Can the date-less text pre + post (+ "\n") of a single line contain a literal? */
  test(pre: string, post: string): boolean {
    const t = pre === '' ? post : pre + post;
    return this.exact.test(this.newline ? t + '\n' : t);
  }

  /** null when some regex has no literal (it could match anything). */
  static from(perRegex: readonly (readonly string[] | null)[]): LiteralPrefilter | null {
    const all: string[] = [];
    for (const lits of perRegex) {
      if (lits === null || lits.length === 0) return null;
      all.push(...lits);
    }
    const kept = minimal(all);
    return kept.length === 0 ? null : new LiteralPrefilter(kept);
  }
}
