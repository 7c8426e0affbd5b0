/**
 * Literal strings at least one of which occurs in every text a pattern can match: a cheap
 * pre-filter that lets the filter engine skip lines without running the regular expression.
 *
 * Derived from the model, so it is sound by construction: a sequence contributes the most
 * selective of its parts (a run of adjacent literal characters, or a nested part's own set), an
 * alternation the union of its branches, and optional or case-insensitive parts nothing.
 */
import type { Node } from './ast.js';

/** Literals shorter than this are not selective enough to be worth a pre-filter. */
const MIN_LENGTH = 3;
/** More alternatives than this and the pre-filter costs more than it saves. */
const MAX_LITERALS = 16;

type Literals = readonly string[] | null;

export function literalsOf(node: Node): string[] | null {
  const found = best(node);
  if (found === null || found.length === 0 || shortest(found) < MIN_LENGTH) return null;
  return minimal(found);
}

function best(node: Node): Literals {
  switch (node.type) {
    case 'set': {
      const c = node.set.single;
      return c === undefined ? null : [String.fromCodePoint(c)];
    }
    case 'seq': return sequence(node.items);
    case 'alt': {
      const out = new Set<string>();
      for (const b of node.branches) {
        const l = best(b);
        if (l === null) return null;
        for (const s of l) out.add(s);
      }
      return out.size > MAX_LITERALS ? null : [...out];
    }
    case 'group': case 'atomic': return best(node.body);
    case 'repeat': return node.min > 0 ? best(node.body) : null;
    case 'look': return node.negate ? null : best(node.body);
    case 'cond': return best({ type: 'alt', branches: [node.yes, node.no] });
    default: return null;
  }
}

/**
 * The finite set of strings a node matches, when it is small ("[aA]", "(?:closed|reset)",
 * "(?:error: )?" give {a, A}, {closed, reset}, {"", "error: "}); null otherwise. Zero-width parts
 * count as the empty string: ignoring what they demand only allows more texts.
 */
function exact(node: Node): readonly string[] | null {
  switch (node.type) {
    case 'empty': case 'assert': case 'look': return [''];
    case 'set': {
      if (node.set.size > 2) return null;
      const out: string[] = [];
      const r = node.set.ranges;
      for (let i = 0; i < r.length; i += 2) for (let c = r[i]!; c <= r[i + 1]!; c++) out.push(String.fromCodePoint(c));
      return out;
    }
    case 'seq': {
      let acc: readonly string[] | null = [''];
      for (const item of node.items) {
        const e = exact(item);
        if (e === null) return null;
        acc = product(acc, e);
        if (acc === null) return null;
      }
      return acc;
    }
    case 'alt': case 'cond': {
      const out = new Set<string>();
      for (const b of node.type === 'alt' ? node.branches : [node.yes, node.no]) {
        const e = exact(b);
        if (e === null) return null;
        for (const x of e) out.add(x);
        if (out.size > MAX_LITERALS) return null;
      }
      return [...out];
    }
    case 'group': case 'atomic': return exact(node.body);
    case 'repeat': {
      if (node.max !== node.min && !(node.min === 0 && node.max === 1)) return null;
      const e = exact(node.body);
      if (e === null) return null;
      if (node.max === 1 && node.min === 0) return [...new Set(['', ...e])];
      let acc: readonly string[] | null = [''];
      for (let i = 0; i < node.min && acc !== null; i++) acc = product(acc, e);
      return acc;
    }
    default: return null;
  }
}

/** Every a + b, or null when there would be too many. */
function product(a: readonly string[], b: readonly string[]): readonly string[] | null {
  if (a.length * b.length > MAX_LITERALS) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return [...out];
}

function sequence(items: readonly Node[]): Literals {
  const candidates: (readonly string[])[] = [];
  // A run of parts with small exact sets: every text contains one string of their product,
  // kept as `heads` (the product so far) followed by `plain` (single strings appended since).
  let heads: readonly string[] = [''];
  let plain = '';
  const endRun = (): void => {
    if (plain !== '') candidates.push([plain]);
    const run = plain === '' ? heads : heads.map((h) => h + plain);
    if (run.some((r) => r !== '')) candidates.push(run);
    heads = [''];
    plain = '';
  };
  for (const item of items) {
    // a lookahead's text is in the subject too (and it does not break a run: it is zero-width)
    if (item.type === 'look' && !item.negate && !item.behind) {
      const inside = best(item.body);
      if (inside !== null) candidates.push(inside);
      continue;
    }
    const e = exact(item);
    if (e === null) {
      endRun();
      const inner = best(item);
      if (inner !== null) candidates.push(inner);
      continue;
    }
    if (e.length === 1) {
      plain += e[0]!;
      continue;
    }
    // several strings: the plain part so far is a candidate on its own, then multiply
    if (plain !== '') candidates.push([plain]);
    const joined = plain === '' ? heads : heads.map((h) => h + plain);
    plain = '';
    const p = product(joined, e);
    if (p !== null) {
      heads = p;
      continue;
    }
    if (joined.some((r) => r !== '')) candidates.push(joined);
    heads = e;
  }
  endRun();
  let chosen: readonly string[] | null = null;
  for (const c of candidates) {
    if (c.length === 0 || shortest(c) < MIN_LENGTH) continue;
    if (chosen === null || better(c, chosen)) chosen = c;
  }
  return chosen;
}

function shortest(l: readonly string[]): number {
  return Math.min(...l.map((s) => s.length));
}

/** Longer literals select better; many alternatives cost (a doubling is worth two characters). */
function score(l: readonly string[]): number {
  return shortest(l) - 2 * Math.log2(l.length);
}

function better(a: readonly string[], b: readonly string[]): boolean {
  const sa = score(a);
  const sb = score(b);
  if (sa !== sb) return sa > sb;
  return a.length < b.length;
}

/** Drop literals that contain another literal of the set: the shorter one is always present too. */
function minimal(l: readonly string[]): string[] {
  const sorted = [...new Set(l)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const s of sorted) if (!out.some((o) => s.includes(o))) out.push(s);
  return out;
}
