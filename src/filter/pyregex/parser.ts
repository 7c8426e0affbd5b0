/**
 * Reads a Python `re` pattern (str pattern, Python 3.11 syntax) into raw items.
 *
 * The raw items mirror what Python's own parser produces, including its rewrites that can change
 * meaning later (an alternation of single characters becomes one class, which folds case by class
 * rules), and the parser rejects exactly what Python rejects, with Python's message and position.
 * Flags are applied afterwards (lower.ts), as Python does at compile time.
 */
import type { Category, ClassItem } from './charClasses.js';

export const FLAG = Object.freeze({
  TEMPLATE: 1, IGNORECASE: 2, LOCALE: 4, MULTILINE: 8, DOTALL: 16, UNICODE: 32, VERBOSE: 64, ASCII: 256,
});
const TYPE_FLAGS = FLAG.ASCII | FLAG.LOCALE | FLAG.UNICODE;
const GLOBAL_ONLY_FLAGS = FLAG.TEMPLATE;
const FLAG_LETTERS: Readonly<Record<string, number>> = {
  i: FLAG.IGNORECASE, L: FLAG.LOCALE, m: FLAG.MULTILINE, s: FLAG.DOTALL, x: FLAG.VERBOSE,
  a: FLAG.ASCII, t: FLAG.TEMPLATE, u: FLAG.UNICODE,
};

/** Python's MAXREPEAT on 64-bit builds: `*` and `+` use it as their upper bound. */
export const MAXREPEAT = 4294967295;
const MAXGROUPS = 1073741823;

export type AtKind = 'begin' | 'end' | 'beginString' | 'endString' | 'boundary' | 'nonBoundary';
export type RepeatMode = 'greedy' | 'lazy' | 'possessive';

export type RawItem =
  | { readonly op: 'lit'; readonly c: number; readonly pos: number }
  | { readonly op: 'notlit'; readonly c: number; readonly pos: number }
  | { readonly op: 'in'; readonly negate: boolean; readonly items: readonly ClassItem[]; readonly pos: number }
  | { readonly op: 'any'; readonly pos: number }
  | { readonly op: 'at'; readonly at: AtKind; readonly pos: number }
  | { readonly op: 'branch'; readonly branches: readonly RawItem[][]; readonly pos: number }
  | { readonly op: 'repeat'; readonly min: number; readonly max: number; readonly mode: RepeatMode; readonly body: RawItem[]; readonly pos: number }
  | { readonly op: 'subpattern'; readonly group: number | null; readonly add: number; readonly del: number; readonly body: RawItem[]; readonly pos: number }
  | { readonly op: 'atomic'; readonly body: RawItem[]; readonly pos: number }
  | { readonly op: 'assert'; readonly behind: boolean; readonly negate: boolean; readonly body: RawItem[]; readonly pos: number }
  | { readonly op: 'groupref'; readonly group: number; readonly pos: number }
  | { readonly op: 'condref'; readonly group: number; readonly yes: RawItem[]; readonly no: RawItem[] | null; readonly pos: number };

export interface ParsedPattern {
  readonly items: RawItem[];
  /** Global flags: the caller's plus inline `(?i)`-style flags at the start. */
  readonly flags: number;
  /** Number of capturing groups. */
  readonly groups: number;
  /** Group name → number, in definition order. */
  readonly names: ReadonlyMap<string, number>;
  /** (min, max) width of each closed group, by number (index 0 unused). */
  readonly groupWidths: readonly (readonly [number, number])[];
}

/** A pattern Python would refuse to compile: message and position as Python reports them. */
export class PythonSyntaxError extends Error {
  constructor(readonly pyMessage: string, readonly pos: number | undefined) {
    super(pos === undefined ? pyMessage : `${pyMessage} at position ${pos}`);
  }
}

const DIGITS = '0123456789';
const OCTDIGITS = '01234567';
const HEXDIGITS = '0123456789abcdefABCDEF';
const WHITESPACE = ' \t\n\r\v\f';
const SPECIAL_CHARS = '.\\[{()*+?^$|';
const REPEAT_CHARS = '*+?{';

const ESCAPES: Readonly<Record<string, number>> = {
  '\\a': 7, '\\b': 8, '\\f': 12, '\\n': 10, '\\r': 13, '\\t': 9, '\\v': 11, '\\\\': 92,
};
const CATEGORY_ESCAPES: Readonly<Record<string, Category>> = {
  '\\d': 'd', '\\D': 'D', '\\s': 's', '\\S': 'S', '\\w': 'w', '\\W': 'W',
};
const AT_ESCAPES: Readonly<Record<string, AtKind>> = {
  '\\A': 'beginString', '\\b': 'boundary', '\\B': 'nonBoundary', '\\Z': 'endString',
};

function isAsciiLetter(ch: string): boolean {
  return /^[A-Za-z]$/.test(ch);
}

/** Python's str.isidentifier(), close enough for group names (ASCII and Unicode letters). */
function isIdentifier(name: string): boolean {
  // (the usual ASCII names first: the Unicode classes take V8 a few ms to build)
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(name);
}

/** Splits the pattern into Python's tokens: one character, or a backslash and the next. */
class Tokenizer {
  private readonly chars: readonly string[];
  private index = 0;
  next: string | undefined;

  constructor(pattern: string) {
    this.chars = Array.from(pattern);
    this.advance();
  }

  get length(): number {
    return this.chars.length;
  }

  private advance(): void {
    let index = this.index;
    const ch = this.chars[index];
    if (ch === undefined) {
      this.next = undefined;
      return;
    }
    let tok = ch;
    if (ch === '\\') {
      index++;
      const after = this.chars[index];
      if (after === undefined) throw new PythonSyntaxError('bad escape (end of pattern)', this.chars.length - 1);
      tok += after;
    }
    this.index = index + 1;
    this.next = tok;
  }

  match(tok: string): boolean {
    if (tok === this.next) {
      this.advance();
      return true;
    }
    return false;
  }

  get(): string | undefined {
    const tok = this.next;
    this.advance();
    return tok;
  }

  getWhile(n: number, charset: string): string {
    let result = '';
    for (let i = 0; i < n; i++) {
      const c = this.next;
      if (c === undefined || !charset.includes(c) || c.length !== 1) break;
      result += c;
      this.advance();
    }
    return result;
  }

  getUntil(terminator: string, name: string): string {
    let result = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === undefined) {
        if (!result) throw this.error(`missing ${name}`);
        throw this.error(`missing ${terminator}, unterminated name`, Array.from(result).length);
      }
      if (c === terminator) {
        if (!result) throw this.error(`missing ${name}`, 1);
        break;
      }
      result += c;
    }
    return result;
  }

  tell(): number {
    return this.index - (this.next === undefined ? 0 : this.next.length);
  }

  seek(index: number): void {
    this.index = index;
    this.advance();
  }

  error(msg: string, offset = 0): PythonSyntaxError {
    return new PythonSyntaxError(msg, this.tell() - offset);
  }

  checkGroupName(name: string, offset: number): void {
    if (!isIdentifier(name)) {
      throw this.error(`bad character in group name ${pyRepr(name)}`, Array.from(name).length + offset);
    }
  }
}

/** Python's repr() of a str, as used inside its error messages. */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.codePointAt(0)! < 0x20 || ch.codePointAt(0) === 0x7f) out += '\\x' + ch.codePointAt(0)!.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

class State {
  flags: number;
  readonly names = new Map<string, number>();
  /** Width per group; undefined while the group is open. Index 0 is the whole match. */
  readonly widths: ([number, number] | undefined)[] = [undefined];
  lookbehindGroups: number | undefined = undefined;
  readonly grouprefPos = new Map<number, number>();

  constructor(flags: number) {
    this.flags = flags;
  }

  get groups(): number {
    return this.widths.length;
  }

  openGroup(name: string | undefined): number {
    const gid = this.groups;
    this.widths.push(undefined);
    if (this.groups > MAXGROUPS) throw new PythonSyntaxError('too many groups', undefined);
    if (name !== undefined) {
      const old = this.names.get(name);
      if (old !== undefined) {
        throw new PythonSyntaxError(`redefinition of group name ${pyRepr(name)} as group ${gid}; was group ${old}`, undefined);
      }
      this.names.set(name, gid);
    }
    return gid;
  }

  closeGroup(gid: number, body: RawItem[]): void {
    this.widths[gid] = width(body, this.widths);
  }

  checkGroup(gid: number): boolean {
    return gid < this.groups && this.widths[gid] !== undefined;
  }

  checkLookbehindGroup(gid: number, source: Tokenizer): void {
    if (this.lookbehindGroups !== undefined) {
      if (!this.checkGroup(gid)) throw source.error('cannot refer to an open group');
      if (gid >= this.lookbehindGroups) throw source.error('cannot refer to group defined in the same lookbehind subpattern');
    }
  }
}

const widthCache = new WeakMap<readonly RawItem[], [number, number]>();

/** Python's SubPattern.getwidth(): (min, max) characters matched, capped at MAXREPEAT. */
export function width(items: readonly RawItem[], groupWidths: readonly (readonly [number, number] | undefined)[]): [number, number] {
  const cached = widthCache.get(items);
  if (cached) return cached;
  let lo = 0;
  let hi = 0;
  for (const item of items) {
    switch (item.op) {
      case 'branch': {
        let i = MAXREPEAT - 1;
        let j = 0;
        for (const b of item.branches) {
          const [l, h] = width(b, groupWidths);
          i = Math.min(i, l);
          j = Math.max(j, h);
        }
        lo += i;
        hi += j;
        break;
      }
      case 'atomic':
      case 'subpattern': {
        const [l, h] = width(item.body, groupWidths);
        lo += l;
        hi += h;
        break;
      }
      case 'repeat': {
        const [l, h] = width(item.body, groupWidths);
        lo += l * item.min;
        hi += h * item.max;
        break;
      }
      case 'lit': case 'notlit': case 'in': case 'any':
        lo += 1;
        hi += 1;
        break;
      case 'groupref': {
        const w = groupWidths[item.group];
        lo += w?.[0] ?? 0;
        hi += w?.[1] ?? 0;
        break;
      }
      case 'condref': {
        let [i, j] = width(item.yes, groupWidths);
        if (item.no !== null) {
          const [l, h] = width(item.no, groupWidths);
          i = Math.min(i, l);
          j = Math.max(j, h);
        } else {
          i = 0;
        }
        lo += i;
        hi += j;
        break;
      }
      default:
        break;
    }
  }
  const result: [number, number] = [Math.min(lo, MAXREPEAT - 1), Math.min(hi, MAXREPEAT)];
  widthCache.set(items, result);
  return result;
}

/** Parse a Python pattern. `flags` are the compile flags (FLAG.*) the caller passes to re.compile. */
export function parsePattern(pattern: string, flags: number): ParsedPattern {
  const source = new Tokenizer(pattern);
  const state = new State(flags);
  const items = parseSub(source, state, (flags & FLAG.VERBOSE) !== 0, 0);
  state.flags = fixFlags(state.flags);
  if (source.next !== undefined) throw source.error('unbalanced parenthesis');
  for (const [g, pos] of state.grouprefPos) {
    if (g >= state.groups) throw new PythonSyntaxError(`invalid group reference ${g}`, pos);
  }
  return {
    items,
    flags: state.flags,
    groups: state.groups - 1,
    names: state.names,
    groupWidths: state.widths.map((w) => w ?? [0, 0]),
  };
}

function fixFlags(flags: number): number {
  if (flags & FLAG.LOCALE) throw new PythonSyntaxError('cannot use LOCALE flag with a str pattern', undefined);
  if (!(flags & FLAG.ASCII)) return flags | FLAG.UNICODE;
  if (flags & FLAG.UNICODE) throw new PythonSyntaxError('ASCII and UNICODE flags are incompatible', undefined);
  return flags;
}

/** Key under which Python's branch-prefix optimisation considers two items equal, if any. */
function itemKey(item: RawItem): string | undefined {
  switch (item.op) {
    case 'lit': case 'notlit': return `${item.op}:${item.c}`;
    case 'any': return 'any';
    case 'at': return `at:${item.at}`;
    case 'groupref': return `ref:${item.group}`;
    case 'in': return `in:${item.negate}:${JSON.stringify(item.items)}`;
    default: return undefined;
  }
}

function parseSub(source: Tokenizer, state: State, verbose: boolean, nested: number): RawItem[] {
  const start = source.tell();
  // `nested` grows by two per group level (alternation, then sequence).
  if (nested > 2 * MAX_NESTING) throw new UnsupportedSyntax(`groups nested more than ${MAX_NESTING} levels deep`, start);
  const branches: RawItem[][] = [];
  for (;;) {
    branches.push(parse(source, state, verbose, nested + 1, nested === 0 && branches.length === 0));
    if (!source.match('|')) break;
    if (nested === 0) verbose = (state.flags & FLAG.VERBOSE) !== 0;
  }
  if (branches.length === 1) return branches[0]!;

  const result: RawItem[] = [];
  // Python moves a first item shared by every branch in front of the alternation.
  for (;;) {
    let prefix: string | undefined;
    let shared = true;
    for (const b of branches) {
      const first = b[0];
      const key = first === undefined ? undefined : itemKey(first);
      if (key === undefined || (prefix !== undefined && key !== prefix)) {
        shared = false;
        break;
      }
      prefix = key;
    }
    if (!shared) break;
    result.push(branches[0]![0]!);
    for (const b of branches) b.shift();
  }
  // An alternation of single characters or positive classes becomes one class.
  const members: ClassItem[] = [];
  let allSingle = true;
  for (const b of branches) {
    const only = b[0];
    if (b.length !== 1 || only === undefined) { allSingle = false; break; }
    if (only.op === 'lit') members.push({ t: 'lit', c: only.c });
    else if (only.op === 'in' && !only.negate) members.push(...only.items);
    else { allSingle = false; break; }
  }
  if (allSingle) {
    result.push({ op: 'in', negate: false, items: uniqueItems(members), pos: start });
    return result;
  }
  result.push({ op: 'branch', branches, pos: start });
  return result;
}

function uniqueItems(items: readonly ClassItem[]): ClassItem[] {
  const seen = new Set<string>();
  const out: ClassItem[] = [];
  for (const item of items) {
    const key = JSON.stringify(item);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

function parse(source: Tokenizer, state: State, verbose: boolean, nested: number, first: boolean): RawItem[] {
  const sub: RawItem[] = [];
  for (;;) {
    const tok = source.next;
    if (tok === undefined || tok === '|' || tok === ')') break;
    const here = source.tell();
    source.get();

    if (verbose) {
      if (WHITESPACE.includes(tok) && tok.length === 1) continue;
      if (tok === '#') {
        for (;;) {
          const c = source.get();
          if (c === undefined || c === '\n') break;
        }
        continue;
      }
    }

    if (tok[0] === '\\') {
      sub.push(parseEscape(source, tok, state, here));
    } else if (!SPECIAL_CHARS.includes(tok)) {
      sub.push({ op: 'lit', c: tok.codePointAt(0)!, pos: here });
    } else if (tok === '[') {
      sub.push(parseClass(source, here));
    } else if (REPEAT_CHARS.includes(tok)) {
      if (!parseRepeat(source, state, sub, tok, here)) sub.push({ op: 'lit', c: tok.codePointAt(0)!, pos: here });
    } else if (tok === '.') {
      sub.push({ op: 'any', pos: here });
    } else if (tok === '(') {
      const item = parseGroup(source, state, verbose, nested, first, sub, here);
      if (item === 'global-flags') {
        verbose = (state.flags & FLAG.VERBOSE) !== 0;
      } else if (item !== undefined) {
        sub.push(item);
      }
    } else if (tok === '^') {
      sub.push({ op: 'at', at: 'begin', pos: here });
    } else if (tok === '$') {
      sub.push({ op: 'at', at: 'end', pos: here });
    }
  }
  // Non-capturing groups without flags dissolve into the surrounding sequence.
  const out: RawItem[] = [];
  for (const item of sub) {
    if (item.op === 'subpattern' && item.group === null && item.add === 0 && item.del === 0) out.push(...item.body);
    else out.push(item);
  }
  return out;
}

/** Returns false when `{` does not start a valid quantifier (it is then a literal). */
function parseRepeat(source: Tokenizer, state: State, sub: RawItem[], tok: string, start: number): boolean {
  const here = source.tell();
  let min: number;
  let max: number;
  if (tok === '?') {
    min = 0; max = 1;
  } else if (tok === '*') {
    min = 0; max = MAXREPEAT;
  } else if (tok === '+') {
    min = 1; max = MAXREPEAT;
  } else {
    if (source.next === '}') return false;
    min = 0;
    max = MAXREPEAT;
    let lo = '';
    let hi = '';
    while (source.next !== undefined && DIGITS.includes(source.next)) lo += source.get();
    if (source.match(',')) {
      while (source.next !== undefined && DIGITS.includes(source.next)) hi += source.get();
    } else {
      hi = lo;
    }
    if (!source.match('}')) {
      source.seek(here);
      return false;
    }
    if (lo) {
      min = Number(lo);
      if (min >= MAXREPEAT) throw new PythonSyntaxError('the repetition number is too large', undefined);
    }
    if (hi) {
      max = Number(hi);
      if (max >= MAXREPEAT) throw new PythonSyntaxError('the repetition number is too large', undefined);
      if (max < min) throw source.error('min repeat greater than max repeat', source.tell() - here);
    }
  }
  const last = sub[sub.length - 1];
  if (last === undefined || last.op === 'at') {
    throw source.error('nothing to repeat', source.tell() - here + tok.length);
  }
  if (last.op === 'repeat') throw source.error('multiple repeat', source.tell() - here + tok.length);
  if (state.flags & FLAG.TEMPLATE) throw new PythonSyntaxError(`internal: unsupported template operator MAX_REPEAT`, undefined);
  const body = last.op === 'subpattern' && last.group === null && last.add === 0 && last.del === 0 ? last.body : [last];
  let mode: RepeatMode = 'greedy';
  if (source.match('?')) mode = 'lazy';
  else if (source.match('+')) mode = 'possessive';
  sub[sub.length - 1] = { op: 'repeat', min, max, mode, body, pos: start };
  return true;
}

function parseClass(source: Tokenizer, here: number): RawItem {
  const set: ClassItem[] = [];
  const negate = source.match('^');
  for (;;) {
    const tok = source.get();
    if (tok === undefined) throw source.error('unterminated character set', source.tell() - here);
    if (tok === ']' && set.length > 0) break;
    let code1: ClassItem | { t: 'cats'; item: ClassItem };
    if (tok[0] === '\\') code1 = classEscape(source, tok);
    else code1 = { t: 'lit', c: tok.codePointAt(0)! };
    if (source.match('-')) {
      const that = source.get();
      if (that === undefined) throw source.error('unterminated character set', source.tell() - here);
      if (that === ']') {
        set.push(code1.t === 'cats' ? code1.item : code1);
        set.push({ t: 'lit', c: 0x2d });
        break;
      }
      const code2: ClassItem | { t: 'cats'; item: ClassItem } =
        that[0] === '\\' ? classEscape(source, that) : { t: 'lit', c: that.codePointAt(0)! };
      if (code1.t !== 'lit' || code2.t !== 'lit') {
        throw source.error(`bad character range ${tok}-${that}`, tok.length + 1 + that.length);
      }
      if (code2.c < code1.c) throw source.error(`bad character range ${tok}-${that}`, tok.length + 1 + that.length);
      set.push({ t: 'range', lo: code1.c, hi: code2.c });
    } else {
      set.push(code1.t === 'cats' ? code1.item : code1);
    }
  }
  const items = uniqueItems(set);
  const only = items[0];
  if (items.length === 1 && only !== undefined && only.t === 'lit') {
    return { op: negate ? 'notlit' : 'lit', c: only.c, pos: here };
  }
  return { op: 'in', negate, items, pos: here };
}

/** An escape inside a class; a category is wrapped so it cannot become a range end. */
function classEscape(source: Tokenizer, escape: string): ClassItem | { t: 'cats'; item: ClassItem } {
  const simple = ESCAPES[escape];
  if (simple !== undefined) return { t: 'lit', c: simple };
  const cat = CATEGORY_ESCAPES[escape];
  if (cat !== undefined) return { t: 'cats', item: { t: 'cat', cat } };
  const c = escape[1]!;
  const numeric = numericEscape(source, escape);
  if (numeric !== undefined) return { t: 'lit', c: numeric };
  if (OCTDIGITS.includes(c)) {
    const esc = escape + source.getWhile(2, OCTDIGITS);
    const v = parseInt(esc.slice(1), 8);
    if (v > 0o377) throw source.error(`octal escape value ${esc} outside of range 0-0o377`, esc.length);
    return { t: 'lit', c: v };
  }
  if (DIGITS.includes(c)) throw source.error(`bad escape ${escape}`, escape.length);
  if (escape.length === 2 && isAsciiLetter(c)) throw source.error(`bad escape ${escape}`, escape.length);
  return { t: 'lit', c: escape.codePointAt(1)! };
}

/** \x, \u, \U and \N escapes (the same inside and outside classes); undefined for others. */
function numericEscape(source: Tokenizer, escape: string): number | undefined {
  const c = escape[1];
  if (c === 'x') {
    const esc = escape + source.getWhile(2, HEXDIGITS);
    if (esc.length !== 4) throw source.error(`incomplete escape ${esc}`, esc.length);
    return parseInt(esc.slice(2), 16);
  }
  if (c === 'u') {
    const esc = escape + source.getWhile(4, HEXDIGITS);
    if (esc.length !== 6) throw source.error(`incomplete escape ${esc}`, esc.length);
    return parseInt(esc.slice(2), 16);
  }
  if (c === 'U') {
    const esc = escape + source.getWhile(8, HEXDIGITS);
    if (esc.length !== 10) throw source.error(`incomplete escape ${esc}`, esc.length);
    const v = parseInt(esc.slice(2), 16);
    if (v > 0x10ffff) throw source.error(`bad escape ${esc}`, esc.length);
    return v;
  }
  if (c === 'N') {
    if (!source.match('{')) throw source.error('missing {');
    const name = source.getUntil('}', 'character name');
    throw new UnsupportedNamedEscape(name, source.tell() - Array.from(name).length - 4);
  }
  return undefined;
}

/**
 * Nesting deeper than this is refused. Python itself gives up at a few hundred levels
 * (RecursionError), and logjail's own passes are recursive too.
 */
const MAX_NESTING = 200;

/** Valid syntax that logjail does not translate (named characters, absurd nesting). */
export class UnsupportedSyntax extends Error {
  constructor(readonly reason: string, readonly pos: number) {
    super(reason);
  }
}

/** `\N{NAME}`: valid Python, but logjail carries no table of character names. */
export class UnsupportedNamedEscape extends Error {
  constructor(readonly charName: string, readonly pos: number) {
    super(`\\N{${charName}}`);
  }
}

function parseEscape(source: Tokenizer, escape: string, state: State, here: number): RawItem {
  const at = AT_ESCAPES[escape];
  if (at !== undefined) return { op: 'at', at, pos: here };
  const cat = CATEGORY_ESCAPES[escape];
  if (cat !== undefined) return { op: 'in', negate: false, items: [{ t: 'cat', cat }], pos: here };
  const simple = ESCAPES[escape];
  if (simple !== undefined) return { op: 'lit', c: simple, pos: here };
  const c = escape[1]!;
  const numeric = numericEscape(source, escape);
  if (numeric !== undefined) return { op: 'lit', c: numeric, pos: here };
  if (c === '0') {
    const esc = escape + source.getWhile(2, OCTDIGITS);
    return { op: 'lit', c: parseInt(esc.slice(1), 8), pos: here };
  }
  if (DIGITS.includes(c)) {
    let esc = escape;
    if (source.next !== undefined && source.next.length === 1 && DIGITS.includes(source.next)) {
      esc += source.get();
      const nxt = source.next;
      if (OCTDIGITS.includes(esc[1]!) && OCTDIGITS.includes(esc[2]!) && nxt !== undefined && nxt.length === 1 && OCTDIGITS.includes(nxt)) {
        esc += source.get();
        const v = parseInt(esc.slice(1), 8);
        if (v > 0o377) throw source.error(`octal escape value ${esc} outside of range 0-0o377`, esc.length);
        return { op: 'lit', c: v, pos: here };
      }
    }
    const group = Number(esc.slice(1));
    if (group < state.groups) {
      if (!state.checkGroup(group)) throw source.error('cannot refer to an open group', esc.length);
      state.checkLookbehindGroup(group, source);
      return { op: 'groupref', group, pos: here };
    }
    throw source.error(`invalid group reference ${group}`, esc.length - 1);
  }
  if (escape.length === 2 && isAsciiLetter(c)) throw source.error(`bad escape ${escape}`, escape.length);
  return { op: 'lit', c: escape.codePointAt(1)!, pos: here };
}

function parseGroup(
  source: Tokenizer, state: State, verbose: boolean, nested: number, first: boolean, sub: readonly RawItem[], start: number,
): RawItem | 'global-flags' | undefined {
  let capture = true;
  let atomic = false;
  let name: string | undefined;
  let addFlags = 0;
  let delFlags = 0;
  if (source.match('?')) {
    const char = source.get();
    if (char === undefined) throw source.error('unexpected end of pattern');
    if (char === 'P') {
      if (source.match('<')) {
        name = source.getUntil('>', 'group name');
        source.checkGroupName(name, 1);
      } else if (source.match('=')) {
        const ref = source.getUntil(')', 'group name');
        source.checkGroupName(ref, 1);
        const gid = state.names.get(ref);
        const len = Array.from(ref).length;
        if (gid === undefined) throw source.error(`unknown group name ${pyRepr(ref)}`, len + 1);
        if (!state.checkGroup(gid)) throw source.error('cannot refer to an open group', len + 1);
        state.checkLookbehindGroup(gid, source);
        return { op: 'groupref', group: gid, pos: start };
      } else {
        const c = source.get();
        if (c === undefined) throw source.error('unexpected end of pattern');
        throw source.error(`unknown extension ?P${c}`, c.length + 2);
      }
    } else if (char === ':') {
      capture = false;
    } else if (char === '#') {
      for (;;) {
        if (source.next === undefined) throw source.error('missing ), unterminated comment', source.tell() - start);
        if (source.get() === ')') break;
      }
      return undefined;
    } else if (char === '=' || char === '!' || char === '<') {
      let kind = char;
      let behind = false;
      let outerLookbehind: number | undefined;
      if (char === '<') {
        const c = source.get();
        if (c === undefined) throw source.error('unexpected end of pattern');
        if (c !== '=' && c !== '!') throw source.error(`unknown extension ?<${c}`, c.length + 2);
        kind = c;
        behind = true;
        outerLookbehind = state.lookbehindGroups;
        if (outerLookbehind === undefined) state.lookbehindGroups = state.groups;
      }
      const body = parseSub(source, state, verbose, nested + 1);
      if (behind && outerLookbehind === undefined) state.lookbehindGroups = undefined;
      if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
      return { op: 'assert', behind, negate: kind === '!', body, pos: start };
    } else if (char === '(') {
      const condName = source.getUntil(')', 'group name');
      const len = Array.from(condName).length;
      let group: number;
      if (isIdentifier(condName)) {
        const gid = state.names.get(condName);
        if (gid === undefined) throw source.error(`unknown group name ${pyRepr(condName)}`, len + 1);
        group = gid;
      } else {
        if (!/^[0-9]+$/.test(condName)) throw source.error(`bad character in group name ${pyRepr(condName)}`, len + 1);
        group = Number(condName);
        if (group === 0) throw source.error('bad group number', len + 1);
        if (group >= MAXGROUPS) throw source.error(`invalid group reference ${group}`, len + 1);
        if (!state.grouprefPos.has(group)) state.grouprefPos.set(group, source.tell() - len - 1);
      }
      state.checkLookbehindGroup(group, source);
      const yes = parse(source, state, verbose, nested + 1, false);
      let no: RawItem[] | null = null;
      if (source.match('|')) {
        no = parse(source, state, verbose, nested + 1, false);
        if (source.next === '|') throw source.error('conditional backref with more than two branches');
      }
      if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
      return { op: 'condref', group, yes, no, pos: start };
    } else if (char === '>') {
      capture = false;
      atomic = true;
    } else if (char in FLAG_LETTERS || char === '-') {
      const flags = parseFlags(source, state, char);
      if (flags === undefined) {
        if (!first || sub.length > 0) {
          throw source.error('global flags not at the start of the expression', source.tell() - start);
        }
        return 'global-flags';
      }
      [addFlags, delFlags] = flags;
      capture = false;
    } else {
      throw source.error(`unknown extension ?${char}`, char.length + 1);
    }
  }
  let group: number | null = null;
  if (capture) {
    try {
      group = state.openGroup(name);
    } catch (e) {
      if (e instanceof PythonSyntaxError) throw source.error(e.pyMessage, Array.from(name ?? '').length + 1);
      throw e;
    }
  }
  const subVerbose = (verbose || (addFlags & FLAG.VERBOSE) !== 0) && !(delFlags & FLAG.VERBOSE);
  const body = parseSub(source, state, subVerbose, nested + 1);
  if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
  if (group !== null) state.closeGroup(group, body);
  if (atomic) return { op: 'atomic', body, pos: start };
  return { op: 'subpattern', group, add: addFlags, del: delFlags, body, pos: start };
}

/** Inline flags after "(?": undefined for global flags "(?i)", else the scoped [add, del]. */
function parseFlags(source: Tokenizer, state: State, first: string): [number, number] | undefined {
  let char: string | undefined = first;
  let add = 0;
  let del = 0;
  if (char !== '-') {
    for (;;) {
      const flag = FLAG_LETTERS[char]!;
      if (char === 'L') throw source.error("bad inline flags: cannot use 'L' flag with a str pattern");
      add |= flag;
      if ((flag & TYPE_FLAGS) && (add & TYPE_FLAGS) !== flag) {
        throw source.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      }
      char = source.get();
      if (char === undefined) throw source.error('missing -, : or )');
      if (char === ')' || char === '-' || char === ':') break;
      if (!(char in FLAG_LETTERS)) {
        throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing -, : or )', char.length);
      }
    }
  }
  if (char === ')') {
    state.flags |= add;
    return undefined;
  }
  if (add & GLOBAL_ONLY_FLAGS) throw source.error('bad inline flags: cannot turn on global flag', 1);
  if (char === '-') {
    char = source.get();
    if (char === undefined) throw source.error('missing flag');
    if (!(char in FLAG_LETTERS)) throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing flag', char.length);
    for (;;) {
      const flag = FLAG_LETTERS[char]!;
      if (flag & TYPE_FLAGS) throw source.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      del |= flag;
      char = source.get();
      if (char === undefined) throw source.error('missing :');
      if (char === ':') break;
      if (!(char in FLAG_LETTERS)) throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing :', char.length);
    }
  }
  if (del & GLOBAL_ONLY_FLAGS) throw source.error('bad inline flags: cannot turn off global flag', 1);
  if (add & del) throw source.error('bad inline flags: flag turned on and off', 1);
  return [add, del];
}
