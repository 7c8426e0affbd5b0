/**
 * Writes the JavaScript source for a pattern model whose references are resolved.
 *
 * Captures are unnamed and numbered by their opening parenthesis; the map from Python group number
 * to JavaScript capture numbers is returned alongside. With `ascii`, the caller guarantees pure
 * ASCII subjects, so classes are cut down to ASCII and the `u` flag is not needed.
 */
import { nullable, singleWay } from './analysis.js';
import { type AssertKind, type Node } from './ast.js';
import { wordSet } from './charClasses.js';
import { CodePointSet } from './codePointSet.js';
import { ASCII, ASCII_DIGIT, ASCII_SPACE, ASCII_WORD } from './unicodeTables.js';

/**
 * How a fragment binds: atoms take a quantifier directly; sequences, alternations and zero-width
 * assertions (which JavaScript's `u` mode refuses to quantify) need (?:…) first.
 */
type Kind = 'atom' | 'zero' | 'seq' | 'alt' | 'empty';

interface Fragment {
  readonly src: string;
  readonly kind: Kind;
}

interface Copy {
  readonly js: number;
  readonly branches: readonly (readonly [number, number])[];
}

export interface Emitted {
  readonly source: string;
  /** Python group number → JavaScript capture numbers of its copies, in pattern order. */
  readonly captures: ReadonlyMap<number, readonly number[]>;
}

/** Raised for a node the emitter cannot write exactly (a last line of defence; see exactness.ts). */
export class UnsupportedEmit extends Error {
  constructor(readonly reason: string, readonly pos: number | undefined) {
    super(reason);
  }
}

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SPECIAL = new Set('\\]^-['.split(''));

export function emit(root: Node, ascii: boolean): Emitted {
  const e = new Emitter(ascii);
  const src = e.node(root, false).src;
  const captures = new Map<number, number[]>();
  for (const [py, copies] of e.copies) captures.set(py, copies.map((c) => c.js));
  return { source: src, captures };
}

class Emitter {
  private next = 1;
  private altCounter = 0;
  private readonly branchPath: [number, number][] = [];
  readonly copies = new Map<number, Copy[]>();
  private readonly word: CodePointSet;

  constructor(private readonly ascii: boolean) {
    this.word = wordSet(false);
  }

  node(n: Node, behind: boolean): Fragment {
    switch (n.type) {
      case 'empty': return { src: '', kind: 'empty' };
      case 'fail': return { src: '(?!)', kind: 'zero' };
      case 'set': return { src: this.set(n.set), kind: 'atom' };
      case 'seq': {
        let src = '';
        for (const item of n.items) {
          const f = this.node(item, behind);
          src += f.kind === 'alt' ? `(?:${f.src})` : f.src;
        }
        return { src, kind: 'seq' };
      }
      case 'alt': {
        const id = this.altCounter++;
        const parts = n.branches.map((b, i) => {
          this.branchPath.push([id, i]);
          const f = this.node(b, behind);
          this.branchPath.pop();
          return f.src;
        });
        return { src: parts.join('|'), kind: 'alt' };
      }
      case 'group': {
        const js = this.next++;
        let list = this.copies.get(n.index);
        if (!list) this.copies.set(n.index, (list = []));
        list.push({ js, branches: [...this.branchPath] });
        return { src: `(${this.node(n.body, behind).src})`, kind: 'atom' };
      }
      case 'repeat': return this.repeat(n, behind);
      case 'atomic': return this.atomic(n.body, behind);
      case 'look': {
        const head = (n.behind ? '(?<' : '(?') + (n.negate ? '!' : '=');
        return { src: `${head}${this.node(n.body, behind || n.behind).src})`, kind: 'zero' };
      }
      case 'backref': return this.backref(n.index);
      case 'assert': return { src: this.assertion(n.kind, n.ascii), kind: 'zero' };
      case 'cond': throw new UnsupportedEmit('conditional left unresolved', n.pos);
    }
  }

  private repeat(n: Extract<Node, { type: 'repeat' }>, behind: boolean): Fragment {
    if (n.mode === 'possessive' && !behind) {
      // Python's possessive loop commits to each iteration and to the final count.
      const perIteration: Node = singleWay(n.body) ? n.body : { type: 'atomic', body: n.body, pos: n.pos };
      return this.atomic({ ...n, body: perIteration, mode: 'greedy' }, behind);
    }
    const lazy = n.mode === 'lazy';
    if (n.max - n.min === 1 && nullable(n.body)) {
      // JavaScript drops an optional iteration that matches empty; Python keeps it (and its groups).
      const mandatory = n.min === 0 ? '' : this.quantified(n.body, n.min, n.min, false, behind);
      const once = this.node(n.body, behind).src;
      return { src: mandatory + (lazy ? `(?:|${once})` : `(?:${once}|)`), kind: n.min === 0 ? 'atom' : 'seq' };
    }
    return { src: this.quantified(n.body, n.min, n.max, lazy, behind), kind: 'seq' };
  }

  private quantified(body: Node, min: number, max: number, lazy: boolean, behind: boolean): string {
    const f = this.node(body, behind);
    const atom = f.kind === 'atom' ? f.src : `(?:${f.src})`;
    let q: string;
    if (min === 0 && max === Infinity) q = '*';
    else if (min === 1 && max === Infinity) q = '+';
    else if (min === 0 && max === 1) q = '?';
    else if (max === Infinity) q = `{${min},}`;
    else if (min === max) q = `{${min}}`;
    else q = `{${min},${max}}`;
    return atom + q + (lazy ? '?' : '');
  }

  /** Python's atomic group: a JavaScript lookahead never backtracks, its capture replays the text. */
  private atomic(body: Node, behind: boolean): Fragment {
    // Inside a lookbehind everything has a fixed width, so committing changes nothing.
    if (behind || singleWay(body)) {
      const f = this.node(body, behind);
      return { src: f.kind === 'alt' ? `(?:${f.src})` : f.src, kind: f.kind === 'alt' ? 'atom' : f.kind };
    }
    const js = this.next++;
    return { src: `(?:(?=(${this.node(body, behind).src}))\\${js})`, kind: 'atom' };
  }

  private backref(index: number): Fragment {
    const here = this.branchPath;
    const refs = (this.copies.get(index) ?? []).filter((c) =>
      c.branches.every(([id, b]) => here.every(([id2, b2]) => id !== id2 || b === b2)));
    // Exactly one of these copies took part (the others lie in other alternatives and
    // therefore match the empty string), so together they replay the group's text.
    if (refs.length === 0) return { src: '(?!)', kind: 'zero' };
    return { src: `(?:${refs.map((c) => `\\${c.js}`).join('')})`, kind: 'atom' };
  }

  private assertion(kind: AssertKind, pythonAscii: boolean): string {
    switch (kind) {
      case 'stringStart': return '^';
      case 'stringEnd': return '$';
      case 'end': return '(?=\\n?$)';
      case 'lineStart': return '(?<![^\\n])';
      case 'lineEnd': return '(?![^\\n])';
      case 'wordBoundary':
      case 'notWordBoundary': {
        const notEmpty = '(?:(?=[^])|(?<=[^]))';
        if (pythonAscii || this.ascii) return kind === 'wordBoundary' ? '\\b' : `\\B${notEmpty}`;
        const w = this.set(this.word);
        if (kind === 'wordBoundary') return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
        return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})${notEmpty})`;
      }
    }
  }

  /** A class or a single character for the set. */
  set(full: CodePointSet): string {
    const s = this.ascii ? full.intersect(ASCII) : full;
    const single = s.single;
    if (single !== undefined) return this.literal(single);
    const universe = this.ascii ? ASCII : CodePointSet.ALL;
    const rest = universe.minus(s);
    if (s.equals(ASCII_DIGIT)) return '\\d';
    if (rest.equals(ASCII_DIGIT)) return '\\D';
    if (s.equals(ASCII_WORD)) return '\\w';
    if (rest.equals(ASCII_WORD)) return '\\W';
    if (this.ascii && s.equals(ASCII_SPACE)) return '\\s';
    if (this.ascii && rest.equals(ASCII_SPACE)) return '\\S';
    if (rest.isEmpty) return '[^]';
    if (s.rangeCount <= rest.rangeCount) return `[${this.classBody(s)}]`;
    return `[^${this.classBody(rest)}]`;
  }

  private classBody(s: CodePointSet): string {
    let out = '';
    const r = s.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const lo = r[i]!;
      const hi = r[i + 1]!;
      out += this.classChar(lo);
      if (hi > lo) out += (hi > lo + 1 ? '-' : '') + this.classChar(hi);
    }
    return out;
  }

  private classChar(c: number): string {
    const ch = String.fromCodePoint(c);
    if (CLASS_SPECIAL.has(ch)) return '\\' + ch;
    return this.printable(c) ? ch : this.escape(c);
  }

  private literal(c: number): string {
    const ch = String.fromCodePoint(c);
    if (SYNTAX.has(ch)) return '\\' + ch;
    return this.printable(c) ? ch : this.escape(c);
  }

  private printable(c: number): boolean {
    return c >= 0x20 && c < 0x7f;
  }

  /** Escapes valid with and without the `u` flag (ASCII mode only ever escapes code points below 0x80). */
  private escape(c: number): string {
    if (c <= 0xff) return '\\x' + c.toString(16).padStart(2, '0');
    return c <= 0xffff ? '\\u' + c.toString(16).padStart(4, '0') : '\\u{' + c.toString(16) + '}';
  }
}
