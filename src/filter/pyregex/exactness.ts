/**
 * Finds the constructs on which Python's engine and V8's give different results and that the
 * translation does not rewrite, so they are reported instead of translated approximately.
 *
 * - JavaScript rejects a loop iteration that matches the empty string and tries the body's other
 *   ways; Python accepts it (keeping its groups) and ends the loop. This only matters when a body
 *   that can match empty has a non-empty way tried after an empty one and what follows the loop
 *   could match there too.
 * - Inside a lookbehind JavaScript matches right to left, so a repeated group would keep its
 *   leftmost instead of its rightmost value.
 * - A case-insensitive back-reference compares folded characters in Python; JavaScript can only
 *   compare exactly, which is the same only when the group cannot match a cased character.
 *
 * (That JavaScript clears a loop's groups at every iteration, where Python keeps the value of the
 * last iteration that set them, is repaired rather than refused: see replay.ts.)
 */
import { alphabet, containsCapture, firstAfterEmpty, firstChars, nullable } from './analysis.js';
import { children, type Node, type NodeOf, type Step } from './ast.js';
import { foldAmbiguous } from './charClasses.js';
import { CodePointSet } from './codePointSet.js';

export class Inexact extends Error {
  constructor(readonly reason: string, readonly pos: number | undefined) {
    super(reason);
  }
}

interface Context {
  readonly inLookbehind: boolean;
  /** Inside a repetition that is itself inside a lookbehind. */
  readonly loopInLookbehind: boolean;
}

/** Checks on the pattern as Python wrote it (before references are resolved). */
export function checkSource(root: Node, groupName: (index: number) => string): void {
  const bodies = new Map<number, Node>();
  collectGroups(root, bodies);
  visit(root, { inLookbehind: false, loopInLookbehind: false });

  function visit(node: Node, ctx: Context): void {
    let inner = ctx;
    switch (node.type) {
      case 'group':
        if (ctx.loopInLookbehind) throw new Inexact(`group ${groupName(node.index)} is repeated inside a lookbehind`, node.pos);
        break;
      case 'backref':
        if (node.fold !== 'none') {
          const body = bodies.get(node.index);
          const chars = body === undefined ? CodePointSet.ALL : alphabet(body, (i) => bodies.get(i));
          if (chars.intersects(foldAmbiguous(node.fold === 'ascii'))) {
            throw new Inexact(`case-insensitive back-reference to group ${groupName(node.index)}, which can match ` +
              'letters with other case forms', node.pos);
          }
        }
        break;
      case 'repeat':
        if (node.max - node.min === 1 && node.min > 0 && nullable(node.body) && containsCapture(node.body)) {
          throw new Inexact('a repetition {n,n+1} of a group that can match the empty string', node.pos);
        }
        if (node.max > 1 && ctx.inLookbehind) inner = { ...ctx, loopInLookbehind: true };
        break;
      case 'look':
        if (node.behind) inner = { ...ctx, inLookbehind: true };
        break;
      default:
        break;
    }
    for (const c of children(node)) visit(c, inner);
  }
}

function collectGroups(node: Node, into: Map<number, Node>): void {
  if (node.type === 'group' && !into.has(node.index)) into.set(node.index, node.body);
  for (const c of children(node)) collectGroups(c, into);
}

/** Checks on the final model (after references are resolved), where every loop is in place. */
export function checkLoops(root: Node): void {
  const path: Step[] = [];
  const seen = new Set<Node>();
  visit(root);

  function visit(node: Node): void {
    if (node.type === 'repeat') checkLoop(node, path);
    // A shared subtree is checked once per distinct context only when its path matters: loops.
    if (node.type !== 'repeat' && seen.has(node) && !containsRepeat(node)) return;
    seen.add(node);
    const kids = children(node);
    for (let i = 0; i < kids.length; i++) {
      path.push({ node, child: i });
      visit(kids[i]!);
      path.pop();
    }
  }
}

const repeatCache = new WeakMap<Node, boolean>();
function containsRepeat(node: Node): boolean {
  let r = repeatCache.get(node);
  if (r === undefined) {
    r = node.type === 'repeat' || children(node).some(containsRepeat);
    repeatCache.set(node, r);
  }
  return r;
}

function checkLoop(node: NodeOf<'repeat'>, path: readonly Step[]): void {
  if (!nullable(node.body) || node.max - node.min <= 1) return;
  if (containsCapture(node.body)) {
    throw new Inexact('a repeated group that can match the empty string (Python and JavaScript keep different values ' +
      'for it)', node.pos);
  }
  if (node.mode !== 'greedy') return;
  const late = firstAfterEmpty(node.body);
  if (late.isEmpty) return;
  const tail = continuation(path);
  if (tail.nullable || tail.first.intersects(late)) {
    throw new Inexact('a repetition whose body can match the empty string before trying a non-empty alternative ' +
      '(Python ends the repetition there, JavaScript tries the alternative)', node.pos);
  }
}

/** What can follow a node: the characters it may start with, and whether it may be nothing. */
function continuation(path: readonly Step[]): { first: CodePointSet; nullable: boolean } {
  let first = CodePointSet.EMPTY;
  for (let k = path.length - 1; k >= 0; k--) {
    const { node, child } = path[k]!;
    if (node.type === 'seq') {
      for (const item of node.items.slice(child + 1)) {
        first = first.union(firstChars(item));
        if (!nullable(item)) return { first, nullable: false };
      }
    } else if (node.type === 'repeat') {
      if (node.max > 1) first = first.union(firstChars(node.body));
    } else if (node.type === 'look' || node.type === 'atomic') {
      return { first, nullable: true };
    }
  }
  return { first, nullable: true };
}
