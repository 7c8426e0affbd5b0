/**
 * The translator's model of a pattern: Python's meaning with all flags already applied.
 *
 * Nodes are immutable and may be shared (rewrites copy the path they change and reuse the rest),
 * so a subtree can occur at several places; emission numbers each occurrence separately.
 * `pos` is the position in the Python pattern, for error messages.
 */
import type { CodePointSet } from './codePointSet.js';

export type AssertKind =
  /** \A, or ^ without MULTILINE */
  | 'stringStart'
  /** ^ with MULTILINE: at the start or after "\n" */
  | 'lineStart'
  /** $ without MULTILINE: at the end or before a final "\n" */
  | 'end'
  /** $ with MULTILINE: at the end or before any "\n" */
  | 'lineEnd'
  /** \Z */
  | 'stringEnd'
  | 'wordBoundary'
  | 'notWordBoundary';

export type Node =
  | { readonly type: 'empty' }
  /** Never matches (a reference to a group that cannot have matched). */
  | { readonly type: 'fail' }
  /** One character out of `set`. */
  | { readonly type: 'set'; readonly set: CodePointSet }
  | { readonly type: 'seq'; readonly items: readonly Node[] }
  | { readonly type: 'alt'; readonly branches: readonly Node[] }
  /** A capturing group; `index` is its Python group number. */
  | { readonly type: 'group'; readonly index: number; readonly body: Node; readonly pos: number }
  | { readonly type: 'repeat'; readonly body: Node; readonly min: number; readonly max: number; readonly mode: 'greedy' | 'lazy' | 'possessive'; readonly pos: number }
  | { readonly type: 'atomic'; readonly body: Node; readonly pos: number }
  | { readonly type: 'look'; readonly behind: boolean; readonly negate: boolean; readonly body: Node; readonly pos: number }
  /**
   * A back-reference. `fold` is the case folding Python compares with; `checked` is set once the
   * translator has proved the group participated on every path that reaches it.
   */
  | { readonly type: 'backref'; readonly index: number; readonly fold: 'none' | 'unicode' | 'ascii'; readonly checked: boolean; readonly pos: number }
  | { readonly type: 'cond'; readonly index: number; readonly yes: Node; readonly no: Node; readonly pos: number }
  | { readonly type: 'assert'; readonly kind: AssertKind; readonly ascii: boolean };

export type NodeOf<T extends Node['type']> = Extract<Node, { type: T }>;

export const EMPTY: Node = Object.freeze({ type: 'empty' });
export const FAIL: Node = Object.freeze({ type: 'fail' });

/** A sequence, flattened and without empty items. */
export function seq(items: readonly Node[]): Node {
  const out: Node[] = [];
  for (const item of items) {
    if (item.type === 'seq') out.push(...item.items);
    else if (item.type !== 'empty') out.push(item);
  }
  if (out.length === 0) return EMPTY;
  if (out.length === 1) return out[0]!;
  return { type: 'seq', items: out };
}

export function alt(branches: readonly Node[]): Node {
  const out: Node[] = [];
  for (const b of branches) {
    if (b.type === 'alt') out.push(...b.branches);
    else out.push(b);
  }
  if (out.length === 1) return out[0]!;
  return { type: 'alt', branches: out };
}

export function children(node: Node): readonly Node[] {
  switch (node.type) {
    case 'seq': return node.items;
    case 'alt': return node.branches;
    case 'group': case 'repeat': case 'atomic': case 'look': return [node.body];
    case 'cond': return [node.yes, node.no];
    default: return [];
  }
}

/** How many children() a node has, and child i: the walks below make no array per node. */
export function childCount(node: Node): number {
  switch (node.type) {
    case 'seq': return node.items.length;
    case 'alt': return node.branches.length;
    case 'group': case 'repeat': case 'atomic': case 'look': return 1;
    case 'cond': return 2;
    default: return 0;
  }
}

export function childAt(node: Node, i: number): Node {
  switch (node.type) {
    case 'seq': return node.items[i]!;
    case 'alt': return node.branches[i]!;
    case 'group': case 'repeat': case 'atomic': case 'look': return node.body;
    case 'cond': return i === 0 ? node.yes : node.no;
    default: throw new RangeError('no such child');
  }
}

/** The same node with new children (in the order children() lists them). */
export function withChildren(node: Node, kids: readonly Node[]): Node {
  switch (node.type) {
    case 'seq': return seq(kids);
    case 'alt': return alt(kids);
    case 'group': case 'repeat': case 'atomic': case 'look': return { ...node, body: kids[0]! };
    case 'cond': return { ...node, yes: kids[0]!, no: kids[1]! };
    default: return node;
  }
}

/** One step from a node to one of its children. */
export interface Step {
  readonly node: Node;
  readonly child: number;
}

/** Rebuild `root` with the node at the end of `path` replaced. */
export function replaceAt(path: readonly Step[], replacement: Node, depth = 0): Node {
  const step = path[depth];
  if (step === undefined) return replacement;
  const kids = [...children(step.node)];
  kids[step.child] = replaceAt(path, replacement, depth + 1);
  return withChildren(step.node, kids);
}

/** True if some node in the tree satisfies `pred` (shared subtrees are visited once). */
export function some(node: Node, pred: (n: Node) => boolean, seen = new Set<Node>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (pred(node)) return true;
  for (let i = 0, n = childCount(node); i < n; i++) if (some(childAt(node, i), pred, seen)) return true;
  return false;
}

const sizeCache = new WeakMap<Node, number>();

/** Number of nodes once shared subtrees are written out in full. */
export function expandedSize(node: Node): number {
  const cached = sizeCache.get(node);
  if (cached !== undefined) return cached;
  let n = 1;
  for (let i = 0, k = childCount(node); i < k; i++) n += expandedSize(childAt(node, i));
  sizeCache.set(node, n);
  return n;
}
