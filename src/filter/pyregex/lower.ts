/**
 * Applies Python's flags to the parsed items, giving the flag-free model of ast.ts.
 *
 * This is where a literal becomes the set of characters it matches under IGNORECASE, `.` becomes
 * "anything but \n" (or anything under DOTALL), and `^`/`$` pick their MULTILINE meaning, exactly
 * as Python's compiler decides for each part of the pattern under its own scoped flags.
 */
import { EMPTY, alt, seq, type Node } from './ast.js';
import { classSet, literalSet, type CharFlags } from './charClasses.js';
import { CodePointSet } from './codePointSet.js';
import { FLAG, MAXREPEAT, PythonSyntaxError, width, type ParsedPattern, type RawItem } from './parser.js';

const TYPE_FLAGS = FLAG.ASCII | FLAG.LOCALE | FLAG.UNICODE;
const NOT_NEWLINE = CodePointSet.of(0x0a).complement();

export function lowerPattern(parsed: ParsedPattern): Node {
  return lowerItems(parsed.items, parsed.flags, parsed);
}

function lowerItems(items: readonly RawItem[], flags: number, parsed: ParsedPattern): Node {
  return seq(items.map((item) => lowerItem(item, flags, parsed)));
}

function charFlags(flags: number): CharFlags {
  return { ignoreCase: (flags & FLAG.IGNORECASE) !== 0, ascii: (flags & FLAG.UNICODE) === 0 };
}

function lowerItem(item: RawItem, flags: number, parsed: ParsedPattern): Node {
  const multiline = (flags & FLAG.MULTILINE) !== 0;
  const ascii = (flags & FLAG.UNICODE) === 0;
  switch (item.op) {
    case 'lit':
      return { type: 'set', set: literalSet(item.c, false, charFlags(flags)) };
    case 'notlit':
      return { type: 'set', set: literalSet(item.c, true, charFlags(flags)) };
    case 'in':
      return { type: 'set', set: classSet(item.items, item.negate, charFlags(flags)) };
    case 'any':
      return { type: 'set', set: flags & FLAG.DOTALL ? CodePointSet.ALL : NOT_NEWLINE };
    case 'at':
      switch (item.at) {
        case 'begin': return { type: 'assert', kind: multiline ? 'lineStart' : 'stringStart', ascii };
        case 'end': return { type: 'assert', kind: multiline ? 'lineEnd' : 'end', ascii };
        case 'beginString': return { type: 'assert', kind: 'stringStart', ascii };
        case 'endString': return { type: 'assert', kind: 'stringEnd', ascii };
        case 'boundary': return { type: 'assert', kind: 'wordBoundary', ascii };
        case 'nonBoundary': return { type: 'assert', kind: 'notWordBoundary', ascii };
      }
      break;
    case 'branch':
      return alt(item.branches.map((b) => lowerItems(b, flags, parsed)));
    case 'repeat':
      return {
        type: 'repeat', body: lowerItems(item.body, flags, parsed), min: item.min,
        max: item.max === MAXREPEAT ? Infinity : item.max, mode: item.mode, pos: item.pos,
      };
    case 'subpattern': {
      let inner = flags;
      if (item.add & TYPE_FLAGS) inner &= ~TYPE_FLAGS;
      inner = (inner | item.add) & ~item.del;
      const body = lowerItems(item.body, inner, parsed);
      return item.group === null ? body : { type: 'group', index: item.group, body, pos: item.pos };
    }
    case 'atomic':
      return { type: 'atomic', body: lowerItems(item.body, flags, parsed), pos: item.pos };
    case 'assert':
      if (item.behind) {
        const [lo, hi] = width(item.body, parsed.groupWidths);
        if (lo !== hi) throw new PythonSyntaxError('look-behind requires fixed-width pattern', undefined);
      }
      return { type: 'look', behind: item.behind, negate: item.negate, body: lowerItems(item.body, flags, parsed), pos: item.pos };
    case 'groupref':
      return {
        type: 'backref', index: item.group, checked: false, pos: item.pos,
        fold: flags & FLAG.IGNORECASE ? (ascii ? 'ascii' : 'unicode') : 'none',
      };
    case 'condref':
      return {
        type: 'cond', index: item.group, pos: item.pos, yes: lowerItems(item.yes, flags, parsed),
        no: item.no === null ? EMPTY : lowerItems(item.no, flags, parsed),
      };
  }
  return EMPTY;
}
