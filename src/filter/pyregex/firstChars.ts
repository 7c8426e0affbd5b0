/**
 * Which characters can begin a match of a pattern anchored at the start of the text (`^` or
 * `\A` first)? The filter engine uses the answer to try, for a given text, only the failregexes
 * whose first character fits: most fail2ban failregexes start with `^` and a literal word.
 *
 * Derived from the model and conservative: anything not understood allows every character.
 */
import type { Node } from './ast.js';

/** Index 0..127: that ASCII character can come first; index 128: some non-ASCII character can. */
export type FirstChars = Uint8Array;

interface First {
  readonly chars: Uint8Array;
  /** Can match without consuming a character (what follows may then come first). */
  readonly nullable: boolean;
}

const SIZE = 129;

function none(): Uint8Array {
  return new Uint8Array(SIZE);
}
function all(): Uint8Array {
  return new Uint8Array(SIZE).fill(1);
}

function first(node: Node): First {
  switch (node.type) {
    case 'empty': case 'assert': case 'look':
      // zero-width; ignoring what a lookaround or assertion demands only allows more
      return { chars: none(), nullable: true };
    case 'fail':
      return { chars: none(), nullable: false };
    case 'set': {
      const chars = none();
      const r = node.set.ranges;
      for (let i = 0; i < r.length; i += 2) {
        const lo = r[i]!, hi = r[i + 1]!;
        for (let c = lo; c <= Math.min(hi, 127); c++) chars[c] = 1;
        if (hi >= 128) chars[128] = 1;
      }
      return { chars, nullable: false };
    }
    case 'seq': {
      const chars = none();
      for (const item of node.items) {
        const f = first(item);
        for (let c = 0; c < SIZE; c++) chars[c]! |= f.chars[c]!;
        if (!f.nullable) return { chars, nullable: false };
      }
      return { chars, nullable: true };
    }
    case 'alt': case 'cond': {
      const chars = none();
      let nullable = false;
      for (const b of node.type === 'alt' ? node.branches : [node.yes, node.no]) {
        const f = first(b);
        for (let c = 0; c < SIZE; c++) chars[c]! |= f.chars[c]!;
        nullable ||= f.nullable;
      }
      return { chars, nullable };
    }
    case 'group': case 'atomic':
      return first(node.body);
    case 'repeat': {
      const f = first(node.body);
      return { chars: f.chars, nullable: f.nullable || node.min === 0 };
    }
    default:
      // back-references and anything else: could be anything
      return { chars: all(), nullable: true };
  }
}

/** Does every match start at the start of the text? */
function anchored(node: Node): boolean {
  switch (node.type) {
    case 'assert': return node.kind === 'stringStart';
    case 'seq': return node.items.length > 0 && anchored(node.items[0]!);
    case 'group': case 'atomic': return anchored(node.body);
    case 'alt': return node.branches.every(anchored);
    default: return false;
  }
}

/** The possible first characters of a match, or null when a match can start anywhere or be empty. */
export function firstCharsOf(model: Node): FirstChars | null {
  if (!anchored(model)) return null;
  const f = first(model);
  return f.nullable ? null : f.chars;
}
