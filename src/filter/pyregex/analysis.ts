/**
 * Static facts about pattern nodes that the rewrites and exactness checks rely on.
 * All answers are conservative: "maybe" is reported as the unsafe side.
 */
import { children, some, type Node } from './ast.js';
import { CodePointSet } from './codePointSet.js';

/** Can the node match the empty string? (Back-references: assumed yes.) */
export function nullable(node: Node): boolean {
  switch (node.type) {
    case 'empty': case 'assert': case 'look': case 'backref': return true;
    case 'fail': case 'set': return false;
    case 'seq': return node.items.every(nullable);
    case 'alt': return node.branches.some(nullable);
    case 'group': case 'atomic': return nullable(node.body);
    case 'repeat': return node.min === 0 || nullable(node.body);
    case 'cond': return nullable(node.yes) || nullable(node.no);
  }
}

export function containsCapture(node: Node): boolean {
  return some(node, (n) => n.type === 'group');
}

/** Does every successful match of `node` include a match of group `index`? */
export function mandatory(node: Node, index: number): boolean {
  switch (node.type) {
    case 'group': return node.index === index || mandatory(node.body, index);
    case 'seq': return node.items.some((n) => mandatory(n, index));
    case 'alt': return node.branches.every((n) => mandatory(n, index));
    case 'repeat': return node.min > 0 && mandatory(node.body, index);
    case 'atomic': return mandatory(node.body, index);
    case 'look': return !node.negate && mandatory(node.body, index);
    case 'cond': return mandatory(node.yes, index) && mandatory(node.no, index);
    default: return false;
  }
}

/** Can the node match in at most one way at any position (so distributing around it keeps order)? */
export function singleWay(node: Node): boolean {
  switch (node.type) {
    case 'empty': case 'fail': case 'set': case 'assert': case 'look': case 'backref': case 'atomic': return true;
    case 'seq': return node.items.every(singleWay);
    case 'group': return singleWay(node.body);
    case 'repeat': return node.mode === 'possessive' || (node.min === node.max && singleWay(node.body));
    default: return false;
  }
}

/** Characters a non-empty match of the node can start with (ALL when unknown). */
export function firstChars(node: Node): CodePointSet {
  switch (node.type) {
    case 'set': return node.set;
    case 'backref': return CodePointSet.ALL;
    case 'seq': {
      let out = CodePointSet.EMPTY;
      for (const item of node.items) {
        out = out.union(firstChars(item));
        if (!nullable(item)) break;
      }
      return out;
    }
    case 'alt': return node.branches.reduce((acc, b) => acc.union(firstChars(b)), CodePointSet.EMPTY);
    case 'group': case 'atomic': return firstChars(node.body);
    case 'repeat': return node.max === 0 ? CodePointSet.EMPTY : firstChars(node.body);
    case 'cond': return firstChars(node.yes).union(firstChars(node.no));
    default: return CodePointSet.EMPTY;
  }
}

/**
 * First characters of the non-empty ways of matching the node that the engine tries *after* a way
 * that matched empty. Python ends a loop at an empty iteration while JavaScript rejects that
 * iteration and tries the later ways, so only these characters can make the two disagree.
 */
export function firstAfterEmpty(node: Node): CodePointSet {
  if (!nullable(node)) return CodePointSet.EMPTY;
  switch (node.type) {
    case 'empty': case 'assert': case 'look': case 'backref': case 'atomic': case 'fail': case 'set':
      return CodePointSet.EMPTY;
    case 'group': return firstAfterEmpty(node.body);
    case 'seq':
      return node.items.every((n) => firstAfterEmpty(n).isEmpty) ? CodePointSet.EMPTY : CodePointSet.ALL;
    case 'alt': {
      let out = CodePointSet.EMPTY;
      let emptySeen = false;
      for (const b of node.branches) {
        if (emptySeen) out = out.union(firstChars(b));
        out = out.union(firstAfterEmpty(b));
        if (nullable(b)) emptySeen = true;
      }
      return out;
    }
    case 'repeat':
      if (node.mode === 'possessive') return CodePointSet.EMPTY;
      if (node.mode === 'lazy') return firstChars(node.body);
      if (node.min === 0) return nullable(node.body) ? CodePointSet.ALL : CodePointSet.EMPTY;
      return firstAfterEmpty(node.body).isEmpty ? CodePointSet.EMPTY : CodePointSet.ALL;
    case 'cond':
      return CodePointSet.ALL;
  }
}

/** Characters every match of the node may consume (for case-insensitive back-references). */
export function alphabet(node: Node, groupBody: (index: number) => Node | undefined, depth = 0): CodePointSet {
  if (depth > 50) return CodePointSet.ALL;
  switch (node.type) {
    case 'set': return node.set;
    case 'backref': {
      const body = groupBody(node.index);
      return body === undefined ? CodePointSet.ALL : alphabet(body, groupBody, depth + 1);
    }
    case 'look': return CodePointSet.EMPTY;
    default:
      return children(node).reduce((acc, c) => acc.union(alphabet(c, groupBody, depth)), CodePointSet.EMPTY);
  }
}
