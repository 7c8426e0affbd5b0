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

function sequence(items: readonly Node[]): Literals {
  const candidates: (readonly string[])[] = [];
  let run = '';
  const endRun = (): void => {
    if (run) candidates.push([run]);
    run = '';
  };
  for (const item of items) {
    if (item.type === 'set' && item.set.single !== undefined) {
      run += String.fromCodePoint(item.set.single);
      continue;
    }
    // Zero-width parts do not separate the characters around them in the subject.
    if (item.type === 'assert' || item.type === 'look') {
      if (item.type === 'look') {
        const inside = best(item);
        if (inside !== null) candidates.push(inside);
      }
      continue;
    }
    endRun();
    const inner = best(item);
    if (inner !== null) candidates.push(inner);
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

function better(a: readonly string[], b: readonly string[]): boolean {
  const la = shortest(a);
  const lb = shortest(b);
  if (la !== lb) return la > lb;
  return a.length < b.length;
}

/** Drop literals that contain another literal of the set: the shorter one is always present too. */
function minimal(l: readonly string[]): string[] {
  const sorted = [...new Set(l)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const s of sorted) if (!out.some((o) => s.includes(o))) out.push(s);
  return out;
}
