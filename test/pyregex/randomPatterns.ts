/**
 * Random Python patterns and subjects for differential testing against Python's `re`.
 * Deterministic for a given seed, so a failure can be replayed.
 */

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** xorshift32: small, fast, good enough for test data. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Characters chosen to expose differences: case pairs, Python's special folds, \s and \w edges. */
const ALPHABET = ['a', 'b', 'c', 'A', 'B', 'k', 'K', 's', 'S', 'ſ', 'K', 'é', 'É', '1', '٣', '_', ' ', '-', '\n', '\r', '\x1c', '\u2028', '\u00a0', '😀', 'ı', 'i', 'I', 'İ', ':', '"', ']'];
const PATTERN_CHARS = ['a', 'b', 'c', 'A', 'k', 's', 'é', '1', '_', ' ', '-', ':', 'ſ', 'i', 'İ', '😀', '"'];
const CLASS_ITEMS = ['a', 'b', 'a-c', 'A-Z', 'k', 's', 'é', '\\d', '\\w', '\\s', '\\W', '\\S', '\\n', '_', ' ', '-', '😀', 'ſ', 'ı', ':', '\\]', '"'];
const ESCAPES = ['\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\n', '\\t', '\\x41', '\\u00e9', '\\U0001F600', '\\.', '\\-', '\\:', '\\"', '\\{', '\\ '];

export interface PatternGenOptions {
  /** Include constructs with back-references and conditionals. */
  readonly references?: boolean;
  /** Include possessive repetitions and atomic groups (Python 3.11.2 still had bugs there). */
  readonly possessive?: boolean;
}

export function randomSubject(r: Random, maxLen = 12): string {
  const n = r.int(maxLen + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick(ALPHABET);
  return s;
}

/** A random pattern; groups are tracked so back-references point at closed groups. */
export function randomPattern(r: Random, opts: PatternGenOptions = {}): string {
  const state = { groups: 0, closed: [] as number[], names: [] as string[], budget: 12 };
  let flags = '';
  if (r.chance(0.15)) flags = r.pick(['(?i)', '(?s)', '(?m)', '(?a)', '(?ai)', '(?is)']);
  return flags + alternation(r, state, opts, 0, false);
}

interface GenState {
  groups: number;
  closed: number[];
  names: string[];
  budget: number;
}

function alternation(r: Random, st: GenState, opts: PatternGenOptions, depth: number, fixed: boolean): string {
  const n = r.chance(0.25) ? 2 + r.int(2) : 1;
  const parts: string[] = [];
  const len = fixed ? 1 + r.int(2) : -1;
  for (let i = 0; i < n; i++) parts.push(sequence(r, st, opts, depth, fixed ? len : -1));
  return parts.join('|');
}

function sequence(r: Random, st: GenState, opts: PatternGenOptions, depth: number, fixedLen: number): string {
  if (fixedLen >= 0) {
    let s = '';
    for (let i = 0; i < fixedLen; i++) s += fixedAtom(r);
    return s;
  }
  const n = r.int(4);
  let s = '';
  for (let i = 0; i < n && st.budget > 0; i++) {
    st.budget--;
    s += quantified(r, st, opts, depth);
  }
  return s;
}

function fixedAtom(r: Random): string {
  return r.pick([r.pick(PATTERN_CHARS), `[${r.pick(CLASS_ITEMS)}${r.pick(CLASS_ITEMS)}]`, '.', '\\w', '\\d', '\\s', '\\b' + r.pick(PATTERN_CHARS)]);
}

function quantified(r: Random, st: GenState, opts: PatternGenOptions, depth: number): string {
  const a = atom(r, st, opts, depth);
  if (a.zeroWidth || !r.chance(0.35)) return a.src;
  const q = r.pick(['*', '+', '?', '{2}', '{1,2}', '{,2}', '{2,}', '{0,1}', '{1,3}']);
  const mode = r.pick(opts.possessive === false ? ['', '', '', '?'] : ['', '', '', '?', '+']);
  return a.src + q + mode;
}

function atom(r: Random, st: GenState, opts: PatternGenOptions, depth: number): { src: string; zeroWidth?: boolean } {
  const roll = r.int(100);
  if (depth > 3 || roll < 35) {
    const k = r.int(10);
    if (k < 5) return { src: escapeLiteral(r.pick(PATTERN_CHARS)) };
    if (k < 7) return { src: r.pick(ESCAPES) };
    if (k < 9) return { src: `[${r.chance(0.3) ? '^' : ''}${r.pick(CLASS_ITEMS)}${r.chance(0.5) ? r.pick(CLASS_ITEMS) : ''}]` };
    return { src: '.' };
  }
  if (roll < 45) return { src: r.pick(['^', '$', '\\b', '\\B', '\\A', '\\Z']), zeroWidth: true };
  if (roll < 60) {
    const g = ++st.groups;
    const named = r.chance(0.4);
    const name = `g${g}`;
    const body = alternation(r, st, opts, depth + 1, false);
    st.closed.push(g);
    if (named) st.names.push(name);
    return { src: named ? `(?P<${name}>${body})` : `(${body})` };
  }
  if (roll < 72) return { src: `(?:${alternation(r, st, opts, depth + 1, false)})` };
  if (roll < 76) return { src: `(?${r.pick(['i', '-i', 's', 'a', 'i-s'])}:${alternation(r, st, opts, depth + 1, false)})` };
  if (roll < 82) {
    const kind = r.pick(['=', '!', '<=', '<!']);
    const body = kind.startsWith('<') ? alternation(r, st, opts, depth + 1, true) : alternation(r, st, opts, depth + 1, false);
    return { src: `(?${kind}${body})` };
  }
  if (roll < 85 && opts.possessive !== false) return { src: `(?>${alternation(r, st, opts, depth + 1, false)})` };
  if (opts.references && roll < 93 && st.closed.length > 0) {
    const g = r.pick(st.closed);
    return { src: r.chance(0.5) ? `\\${g}` : `(?:\\${g})` };
  }
  if (opts.references && st.closed.length > 0) {
    const g = r.pick(st.closed);
    const yes = sequence(r, st, opts, depth + 1, -1);
    const no = r.chance(0.7) ? '|' + sequence(r, st, opts, depth + 1, -1) : '';
    return { src: `(?(${g})${yes}${no})` };
  }
  return { src: escapeLiteral(r.pick(PATTERN_CHARS)) };
}

function escapeLiteral(c: string): string {
  return /[.^$*+?()[\]{}|\\]/.test(c) ? '\\' + c : c;
}
