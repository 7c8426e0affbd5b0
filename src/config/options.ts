/**
 * `name[key=value, k2="a,b"][k3='x']` parameters of filters, actions and backends, and the
 * splitting of an `action`/`filter` value into such items.
 *
 * Grammar (fail2ban's): the name is everything before the first "["; the parameters are the
 * text between that "[" and the last "]" (only whitespace may follow it). Inside, items
 * `key=value` are separated by "," or by "][" (several bracket groups). A value is "double" or
 * 'single' quoted (and may then hold "," and "]"), or runs to the next "," or "]". Keys are made
 * of letters, digits, "_", "-" and ".". Keys and values are stripped; a later key wins.
 */
import { LogjailError, type Place } from '../errors.js';
import { isPySpace, pyStrip } from './pystr.js';

export interface NameWithOptions {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
}

const KEY_CHAR_RE = /[\p{L}\p{N}_.-]/u;
const MAX_ITEMS = 1000;

/** Parse `name[k=v, ...]`. Throws LogjailError LJ108 on malformed input. */
export function extractOptions(text: string, place: Place = {}): NameWithOptions {
  const open = text.indexOf('[');
  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  if (open < 0) {
    if (text === '') throw bad(text, 'the name is empty', place);
    return Object.freeze({ name: text, options: Object.freeze(options) });
  }
  const name = text.slice(0, open);
  let close = text.length;
  while (close > open && isPySpace(text[close - 1]!)) close--;
  if (name === '') throw bad(text, 'the name before "[" is empty', place);
  if (text[close - 1] !== ']' || close - 1 <= open) throw bad(text, 'the options are not closed by "]"', place);
  parseItems(text.slice(open + 1, close - 1), options, text, place);
  return Object.freeze({ name, options: Object.freeze(options) });
}

function parseItems(s: string, into: Record<string, string>, whole: string, place: Place): void {
  let pos = 0;
  for (;;) {
    const start = pos;
    let p = skipSpace(s, pos);
    const keyEnd = scanKey(s, p);
    if (keyEnd > p && s[keyEnd] === '=') {
      const key = s.slice(p, keyEnd);
      p = keyEnd + 1;
      let value: string;
      const q = s[p];
      const closing = q === '"' || q === "'" ? s.indexOf(q, p + 1) : -1;
      if (closing >= 0) {
        value = s.slice(p + 1, closing);
        p = closing + 1;
      } else {
        let e = p;
        while (e < s.length && s[e] !== ',' && s[e] !== ']') e++;
        value = s.slice(p, e);
        p = e;
      }
      into[pyStrip(key)] = pyStrip(value);
      if (atEnd(s, p)) return;
      if (s[p] === ',') { pos = p + 1; continue; }
      if (s[p] === ']') {
        const next = skipSpace(s, p + 1);
        if (s[next] === '[') { pos = next + 1; continue; }
      }
      throw bad(whole, `unexpected ${JSON.stringify(clip(s.slice(p)))} after option "${key}"`, place);
    }
    // Not an option: only a trailing comma and whitespace may remain.
    p = start;
    if (s[p] === ',') p++;
    if (skipSpace(s, p) === s.length) return;
    throw bad(whole, `expected key=value at ${JSON.stringify(clip(s.slice(start)))}`, place);
  }
}

/** Python's "$": the end of the text, or just before a final newline. */
function atEnd(s: string, p: number): boolean {
  return p === s.length || (p === s.length - 1 && s[p] === '\n');
}

function scanKey(s: string, p: number): number {
  while (p < s.length && KEY_CHAR_RE.test(s[p]!)) p++;
  return p;
}

function skipSpace(s: string, p: number): number {
  while (p < s.length && isPySpace(s[p]!)) p++;
  return p;
}

/**
 * Split a list such as an `action` value into items: whitespace (including newlines) separates
 * items except inside a `[...]` that follows a name, so parameters may span lines. Items are
 * returned as found (callers strip them). Which text counts as a bracket group follows fail2ban's
 * pattern, including the alternatives it falls back to when the first reading fails, so that a
 * malformed list splits (and later fails) the same way.
 */
export function splitWithOptions(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (isPySpace(text[pos]!)) { pos++; continue; }
    let end = -1;
    if (text[pos] !== '[') {
      let p = pos;
      while (p < text.length && text[p] !== '[' && !isPySpace(text[p]!)) p++;
      const open = skipSpace(text, p);
      if (text[open] === '[') end = new GroupMatcher(text).items(skipSpace(text, open + 1));
      if (end < 0 && (p === text.length || isPySpace(text[p]!))) end = p;
    }
    if (end < 0) {
      // Not "name[...]": a run of non-space characters.
      end = pos;
      while (end < text.length && !isPySpace(text[end]!)) end++;
    }
    out.push(text.slice(pos, end));
    pos = end;
  }
  return out;
}

/**
 * The inside of a bracket group: items `key=value`, each followed by optional whitespace, an
 * optional separator ("," or "] [") and whitespace, then the closing "]", which must be followed
 * by whitespace or the end. Alternatives are tried in the order a regex engine would (more items
 * first; quoted values first, then unquoted ones from the longest down); the first reading that
 * works gives the end of the group. Results are memoised per position, so the search stays
 * polynomial.
 */
class GroupMatcher {
  private readonly memo = new Map<number, number>();

  constructor(private readonly s: string) {}

  /** End (exclusive) of the group whose items start at p, or -1. */
  items(p: number, depth = 0): number {
    const hit = this.memo.get(p);
    if (hit !== undefined) return hit;
    // An item is never empty, so recursion always moves forward; the depth bound only keeps an
    // absurd list (thousands of items in one bracket) from exhausting the stack.
    if (depth > MAX_ITEMS) return -1;
    this.memo.set(p, -1);
    const r = this.itemFirst(p, depth);
    this.memo.set(p, r);
    return r;
  }

  private itemFirst(p: number, depth: number): number {
    const s = this.s;
    const keyEnd = scanKey(s, p);
    if (keyEnd > p && s[keyEnd] === '=') {
      const v = keyEnd + 1;
      for (const valueEnd of this.valueEnds(v)) {
        const afterSpace = skipSpace(s, valueEnd);
        for (const next of this.separatorEnds(afterSpace)) {
          const r = this.items(skipSpace(s, next), depth + 1);
          if (r >= 0) return r;
        }
      }
    }
    // No (more) items: the group closes here, followed by whitespace or the end.
    if (s[p] === ']' && (p + 1 === s.length || isPySpace(s[p + 1]!))) return p + 1;
    return -1;
  }

  /** Where a value starting at v may end, in the order they are tried. */
  private valueEnds(v: number): number[] {
    const s = this.s;
    const ends: number[] = [];
    for (const q of ['"', "'"]) {
      if (s[v] === q) {
        const close = s.indexOf(q, v + 1);
        if (close >= 0) ends.push(close + 1);
      }
    }
    let e = v;
    while (e < s.length && s[e] !== ',' && s[e] !== ']') e++;
    for (let k = e; k >= v; k--) ends.push(k);
    return ends;
  }

  /** Positions after an optional separator at p: ",", "] [", or none. */
  private separatorEnds(p: number): number[] {
    const s = this.s;
    const ends: number[] = [];
    if (s[p] === ',') ends.push(p + 1);
    if (s[p] === ']') {
      const next = skipSpace(s, p + 1);
      if (s[next] === '[') ends.push(next + 1);
    }
    ends.push(p);
    return ends;
  }
}

function bad(text: string, what: string, place: Place): LogjailError {
  return new LogjailError('CONFIG_OPTIONS', `${JSON.stringify(clip(text))}: ${what}`, place);
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
