/**
 * Writes the JavaScript source for a pattern model whose references are resolved.
 *
 * Captures are unnamed and numbered by their opening parenthesis; the map from Python group number
 * to JavaScript capture numbers is returned alongside. With `ascii`, the caller guarantees pure
 * ASCII subjects, so classes are cut down to ASCII and the `u` flag is not needed.
 */
import { containsCapture, mandatory, nullable, singleWay } from './analysis.js';
import { childAt, seq, some, type AssertKind, type Node, type NodeOf, type Step } from './ast.js';
import { wordSet } from './charClasses.js';
import type { CodePointSet } from './codePointSet.js';
import { setSource } from './setSource.js';

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
  /** Repetitions whose group values are recomputed after a match (see replay.ts). */
  readonly loops: readonly LoopToReplay[];
}

/**
 * A repetition holding groups that some iterations skip. JavaScript resets such groups at every
 * iteration, Python keeps the last value; the match itself is the same, so the values are
 * recomputed afterwards by replaying the iterations (replay.ts).
 */
export interface LoopToReplay {
  /** JavaScript capture around the whole repetition. */
  readonly wrapper: number;
  /** JavaScript captures of the groups inside the body, in the order the body emits them. */
  readonly groups: readonly number[];
  readonly body: Node;
  /** Everything that follows the repetition up to the end of the pattern. */
  readonly rest: Node;
  readonly min: number;
  readonly max: number;
}

/** Source of one iteration `(body)` followed by a check that the rest of the match can follow. */
export function replaySource(loop: LoopToReplay, minMore: number, maxMore: number, ascii: boolean): { source: string; groups: number[] } {
  const e = new Emitter(ascii, new Set(), false);
  const head = e.node({ type: 'group', index: 0, body: loop.body, pos: 0 }, false).src;
  const groups = e.emittedGroups.slice(1).map((g) => g.js);
  const more = e.quantified(loop.body, minMore, maxMore, false, false);
  const rest = e.node(loop.rest, false);
  return { source: `${head}(?=${more}${rest.kind === 'alt' ? `(?:${rest.src})` : rest.src})`, groups };
}

/** Raised for a node the emitter cannot write exactly (a last line of defence; see exactness.ts). */
export class UnsupportedEmit extends Error {
  constructor(readonly reason: string, readonly pos: number | undefined) {
    super(reason);
  }
}

/**
 * V8 (11.3) also tries `u` patterns from the middle of a surrogate pair, where a negative
 * lookahead such as (?!.) succeeds, and then reports the pair's start: /(?!.)/u finds a match at 2
 * in "a😀b". Patterns that can succeed at their start without consuming a character get this
 * guard, which fails exactly there ([^] matches nothing in the middle of a pair). Others do not
 * need it, and it would cost V8's fast scan for a leading literal.
 */
const MID_PAIR_GUARD = '(?=[^]|$)';

/** Can the pattern's first step be a zero-width test (other than a plain start anchor)? */
function mayMatchEmptyFirst(node: Node): boolean {
  switch (node.type) {
    case 'assert': return node.kind !== 'stringStart';
    case 'look': case 'backref': return true;
    case 'seq':
      for (const item of node.items) {
        if (mayMatchEmptyFirst(item)) return true;
        if (!nullable(item) || (item.type === 'assert' && item.kind === 'stringStart')) return false;
      }
      return false;
    case 'alt': return node.branches.some(mayMatchEmptyFirst);
    case 'group': case 'atomic': case 'repeat': return mayMatchEmptyFirst(node.body);
    default: return false;
  }
}

/** Does some iteration of the repetition possibly skip one of the groups inside it? */
function skipsGroups(n: NodeOf<'repeat'>): boolean {
  if (!containsCapture(n.body)) return false;
  return some(n.body, (x) => x.type === 'group' && !mandatory(n.body, x.index));
}

export function emit(root: Node, ascii: boolean): Emitted {
  const referenced = new Set<number>();
  some(root, (n) => {
    if (n.type === 'backref') referenced.add(n.index);
    return false;
  });
  const e = new Emitter(ascii, referenced, true);
  const top = e.node(root, false);
  let src = top.src;
  if (!ascii && mayMatchEmptyFirst(root)) src = MID_PAIR_GUARD + (top.kind === 'alt' ? `(?:${src})` : src);
  const captures = new Map<number, number[]>();
  for (const [py, copies] of e.copies) captures.set(py, copies.map((c) => c.js));
  return { source: src, captures, loops: e.loops };
}

class Emitter {
  private next = 1;
  private altCounter = 0;
  private readonly branchPath: [number, number][] = [];
  /** Ancestors of the node being emitted. */
  private readonly path: Step[] = [];
  readonly copies = new Map<number, Copy[]>();
  /** Every group occurrence in emission order. */
  readonly emittedGroups: { readonly py: number; readonly js: number }[] = [];
  readonly loops: LoopToReplay[] = [];
  private readonly word: CodePointSet;

  constructor(private readonly ascii: boolean, private readonly referenced: ReadonlySet<number>, private readonly replay: boolean) {
    this.word = wordSet(false);
  }

  /** Emit child `i` of `parent`, keeping the ancestor path up to date. */
  private child(parent: Node, i: number, behind: boolean): Fragment {
    this.path.push({ node: parent, child: i });
    try {
      return this.node(childAt(parent, i), behind);
    } finally {
      this.path.pop();
    }
  }

  node(n: Node, behind: boolean): Fragment {
    switch (n.type) {
      case 'empty': return { src: '', kind: 'empty' };
      case 'fail': return { src: '(?!)', kind: 'zero' };
      case 'set': return { src: setSource(n.set, this.ascii), kind: 'atom' };
      case 'seq': {
        let src = '';
        for (let i = 0; i < n.items.length; i++) {
          const f = this.child(n, i, behind);
          src += f.kind === 'alt' ? `(?:${f.src})` : f.src;
        }
        return { src, kind: 'seq' };
      }
      case 'alt': {
        const id = this.altCounter++;
        const parts = n.branches.map((_b, i) => {
          this.branchPath.push([id, i]);
          const f = this.child(n, i, behind);
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
        this.emittedGroups.push({ py: n.index, js });
        return { src: `(${this.child(n, 0, behind).src})`, kind: 'atom' };
      }
      case 'repeat': return this.repeat(n, behind);
      case 'atomic': {
        this.path.push({ node: n, child: 0 });
        try {
          return this.atomic(n.body, behind);
        } finally {
          this.path.pop();
        }
      }
      case 'look': {
        const head = (n.behind ? '(?<' : '(?') + (n.negate ? '!' : '=');
        return { src: `${head}${this.child(n, 0, behind || n.behind).src})`, kind: 'zero' };
      }
      case 'backref': return this.backref(n.index);
      case 'assert': return { src: this.assertion(n.kind, n.ascii), kind: 'zero' };
      case 'cond': throw new UnsupportedEmit('conditional left unresolved', n.pos);
    }
  }

  private repeat(n: NodeOf<'repeat'>, behind: boolean): Fragment {
    this.path.push({ node: n, child: 0 });
    try {
      if (this.replay && !behind && n.max > 1 && skipsGroups(n)) return this.replayedLoop(n);
      return this.plainRepeat(n, behind);
    } finally {
      this.path.pop();
    }
  }

  /** A repetition whose groups need replaying: wrap it in a capture and record what to replay. */
  private replayedLoop(n: NodeOf<'repeat'>): Fragment {
    const fail = (why: string): never => {
      throw new UnsupportedEmit(`a group inside this repetition can be skipped by some iterations (Python keeps the ` +
        `value of an earlier iteration, JavaScript forgets it) and ${why}`, n.pos);
    };
    if (n.mode === 'possessive') fail('the repetition is possessive');
    if (nullable(n.body)) fail('the repeated part can match the empty string');
    const ancestors = this.path.slice(0, -1);
    if (ancestors.some((s) => (s.node.type === 'repeat' && s.node.max > 1) || s.node.type === 'look' || s.node.type === 'atomic')) {
      fail('the repetition is inside another repetition or a lookaround');
    }
    if (some(n.body, (x) => x.type === 'group' && this.referenced.has(x.index))) fail('a back-reference refers to such a group');
    if (some(n.body, (x) => x.type === 'repeat' && x !== n && x.max > 1 && skipsGroups(x))) fail('it contains another such repetition');
    const restItems: Node[] = [];
    for (let k = ancestors.length - 1; k >= 0; k--) {
      const { node, child } = ancestors[k]!;
      if (node.type === 'seq') restItems.push(...node.items.slice(child + 1));
    }
    const rest = seq(restItems);
    if (some(n.body, (x) => x.type === 'backref') || some(rest, (x) => x.type === 'backref')) {
      fail('back-references in or after it would have to be replayed too');
    }
    const wrapper = this.next++;
    const first = this.emittedGroups.length;
    const f = this.plainRepeat(n, false);
    const groups = this.emittedGroups.slice(first).map((g) => g.js);
    this.loops.push({ wrapper, groups, body: n.body, rest, min: n.min, max: n.max });
    return { src: `(${f.src})`, kind: 'atom' };
  }

  private plainRepeat(n: NodeOf<'repeat'>, behind: boolean): Fragment {
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

  quantified(body: Node, min: number, max: number, lazy: boolean, behind: boolean): string {
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
        const w = setSource(this.word, this.ascii);
        if (kind === 'wordBoundary') return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
        return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})${notEmpty})`;
      }
    }
  }
}
