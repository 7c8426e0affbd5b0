/**
 * Removes Python's conditionals `(?(g)yes|no)` and makes back-references safe, which JavaScript
 * lacks or reads differently (a reference to a group that did not match matches the empty string
 * in JavaScript but fails in Python).
 *
 * For each reference, in pattern order, the question "has group g matched at this point?" is
 * answered statically where possible. Otherwise the pattern is split where that is decided:
 * in the innermost sequence `A E R` where E may set g and R holds the reference, E's ways of
 * matching are distributed over R, in the order the engine tries them:
 *
 *     A (g)? R          →  A (?:(g) R[yes] | R[no])        (greedy; lazy tries R[no] first)
 *     A (?:B1|B2) R     →  A (?:B1 R[…] | B2 R[…])
 *     A (h: B1|B2) R    →  A (?:(h: B1) R[…] | (h: B2) R[…])
 *
 * Backtracking visits exactly the same alternatives in the same order, so matches and group values
 * stay Python's; groups inside the copied parts get one JavaScript capture per copy. Whatever cannot
 * be split this way is reported as unsupported rather than translated approximately.
 */
import { EMPTY, FAIL, alt, childAt, childCount, children, expandedSize, seq, replaceAt, type Node, type NodeOf, type Step } from './ast.js';
import { mandatory, singleWay } from './analysis.js';

/** Thrown for a reference the translator cannot make exact; `pos` is the reference's position. */
export class UnsupportedReference extends Error {
  constructor(readonly reason: string, readonly pos: number) {
    super(reason);
  }
}

type Ref = NodeOf<'cond'> | NodeOf<'backref'>;

const MAX_EXPANDED_NODES = 20000;
const MAX_RESOLUTIONS = 5000;

export function resolveReferences(root: Node, groupName: (index: number) => string): Node {
  const originalSize = expandedSize(root);
  const limit = Math.max(MAX_EXPANDED_NODES, originalSize * 4);
  for (let steps = 0; ; steps++) {
    const found = findReference(root, []);
    if (found === undefined) return root;
    if (steps >= MAX_RESOLUTIONS) throw new UnsupportedReference('too many conditionals and back-references to resolve', found.ref.pos);
    root = resolveOne(found.path, found.ref, groupName);
    if (expandedSize(root) > limit) {
      throw new UnsupportedReference(
        'the conditionals and back-references multiply the pattern beyond a safe size', found.ref.pos);
    }
  }
}

/** The first conditional or unchecked back-reference in pattern order, with the path to it. */
function findReference(node: Node, path: Step[]): { path: Step[]; ref: Ref } | undefined {
  if (node.type === 'cond' || (node.type === 'backref' && !node.checked)) return { path, ref: node };
  for (let i = 0, n = childCount(node); i < n; i++) {
    path.push({ node, child: i });
    const found = findReference(childAt(node, i), path);
    if (found) return found;
    path.pop();
  }
  return undefined;
}

const settableCache = new WeakMap<Node, ReadonlySet<number>>();

/** Groups that a match of `node` can leave set (groups inside negative lookarounds never are). */
function settable(node: Node): ReadonlySet<number> {
  const cached = settableCache.get(node);
  if (cached) return cached;
  const out = new Set<number>();
  if (node.type === 'group') out.add(node.index);
  if (!(node.type === 'look' && node.negate)) {
    for (const c of children(node)) for (const g of settable(c)) out.add(g);
  }
  settableCache.set(node, out);
  return out;
}

function canSet(node: Node, g: number): boolean {
  return settable(node).has(g);
}

function resolution(ref: Ref, participated: boolean): Node {
  if (ref.type === 'cond') return participated ? ref.yes : ref.no;
  return participated ? { ...ref, checked: true } : FAIL;
}

function resolveOne(path: readonly Step[], ref: Ref, groupName: (index: number) => string): Node {
  const g = ref.index;
  const unsupported = (why: string): never => {
    throw new UnsupportedReference(`${describe(ref, groupName)} ${why}`, ref.pos);
  };
  // Sequences on the way down whose earlier items can set the group.
  let level: { k: number; i: number } | undefined;
  for (let k = 0; k < path.length; k++) {
    const step = path[k]!;
    if (step.node.type !== 'seq') continue;
    const items = step.node.items;
    for (let i = 0; i < step.child; i++) {
      if (!canSet(items[i]!, g)) continue;
      if (level !== undefined) unsupported('follows several places that can set the group');
      level = { k, i };
    }
  }
  // A repetition around the reference that contains the group lets an earlier iteration set it.
  const loopAbove = (k: number): boolean =>
    path.slice(0, k).some((s) => s.node.type === 'repeat' && s.node.max > 1 && canSet(s.node, g));
  if (level === undefined) {
    if (loopAbove(path.length)) unsupported('is inside a repetition where an earlier iteration may have set the group');
    return replaceAt(path, resolution(ref, false));
  }
  const step = path[level.k]!;
  const items = (step.node as NodeOf<'seq'>).items;
  const e = items[level.i]!;
  if (mandatory(e, g)) return replaceAt(path, resolution(ref, true));
  if (loopAbove(level.k + 1)) unsupported('is inside a repetition where an earlier iteration may have set the group');

  const rest = items.slice(level.i + 1);
  const refItem = step.child - level.i - 1;
  const inner = path.slice(level.k + 1);
  const withRef = (participated: boolean): Node[] => {
    const copy = [...rest];
    copy[refItem] = replaceAt(inner, resolution(ref, participated));
    return copy;
  };
  const split = distribute(e, withRef(true), withRef(false), g, unsupported);
  return replaceAt(path.slice(0, level.k), seq([...items.slice(0, level.i), split]));
}

/** `E K`, with K's reference resolved by whether E's way of matching set group g. */
function distribute(e: Node, kYes: readonly Node[], kNo: readonly Node[], g: number, unsupported: (why: string) => never): Node {
  if (!canSet(e, g)) return seq([e, ...kNo]);
  if (mandatory(e, g)) return seq([e, ...kYes]);
  switch (e.type) {
    case 'seq': {
      const m = e.items.findIndex((n) => canSet(n, g));
      const tail = e.items.slice(m + 1);
      if (tail.some((n) => canSet(n, g))) unsupported('follows several places that can set the group');
      return seq([...e.items.slice(0, m), distribute(e.items[m]!, [...tail, ...kYes], [...tail, ...kNo], g, unsupported)]);
    }
    case 'alt':
      return alt(e.branches.map((b) => distribute(b, kYes, kNo, g, unsupported)));
    case 'repeat': {
      if (e.mode === 'possessive') break;
      const skip = seq(kNo);
      let take: Node;
      if (e.min === 0 && e.max === 1) take = distribute(e.body, kYes, kNo, g, unsupported);
      else if (e.min === 1 && e.max === 1) return distribute(e.body, kYes, kNo, g, unsupported);
      else if (e.min === 0 && mandatory(e.body, g)) take = seq([{ ...e, min: 1 }, ...kYes]);
      else break;
      return alt(e.mode === 'lazy' ? [skip, take] : [take, skip]);
    }
    case 'group':
      return alt(parts(e.body, g, unsupported).map((p) => seq([{ ...e, body: p.node }, ...(p.set ? kYes : kNo)])));
    default:
      break;
  }
  return unsupported(`depends on a group set inside ${kindOf(e)}, which cannot be split exactly`);
}

/** `node` as an ordered alternation of parts, each of which sets group g always or never. */
function parts(node: Node, g: number, unsupported: (why: string) => never): { node: Node; set: boolean }[] {
  if (!canSet(node, g)) return [{ node, set: false }];
  if (mandatory(node, g)) return [{ node, set: true }];
  switch (node.type) {
    case 'alt':
      return node.branches.flatMap((b) => parts(b, g, unsupported));
    case 'seq': {
      const m = node.items.findIndex((n) => canSet(n, g));
      const prefix = node.items.slice(0, m);
      const tail = node.items.slice(m + 1);
      if (tail.some((n) => canSet(n, g))) unsupported('follows several places that can set the group');
      if (!prefix.every(singleWay)) {
        unsupported('depends on a group whose enclosing group starts with a part that can match in several ways');
      }
      return parts(node.items[m]!, g, unsupported).map((p) => ({ node: seq([...prefix, p.node, ...tail]), set: p.set }));
    }
    case 'repeat': {
      if (node.mode === 'possessive') break;
      let taken: { node: Node; set: boolean }[];
      if (node.min === 0 && node.max === 1) taken = parts(node.body, g, unsupported);
      else if (node.min === 1 && node.max === 1) return parts(node.body, g, unsupported);
      else if (node.min === 0 && mandatory(node.body, g)) taken = [{ node: { ...node, min: 1 }, set: true }];
      else break;
      const skipped = { node: EMPTY, set: false };
      return node.mode === 'lazy' ? [skipped, ...taken] : [...taken, skipped];
    }
    case 'group':
      return parts(node.body, g, unsupported).map((p) => ({ node: { ...node, body: p.node }, set: p.set }));
    default:
      break;
  }
  return unsupported(`depends on a group set inside ${kindOf(node)}, which cannot be split exactly`);
}

function describe(ref: Ref, groupName: (index: number) => string): string {
  return ref.type === 'cond' ? `conditional on group ${groupName(ref.index)}` : `back-reference to group ${groupName(ref.index)}`;
}

function kindOf(node: Node): string {
  switch (node.type) {
    case 'look': return node.behind ? 'a lookbehind' : 'a lookahead';
    case 'atomic': return 'an atomic group';
    case 'repeat': return node.mode === 'possessive' ? 'a possessive repetition' : 'a repetition';
    case 'cond': return 'a conditional';
    default: return 'this construct';
  }
}
