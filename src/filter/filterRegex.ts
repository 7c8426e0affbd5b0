/**
 * One configured regex of a filter (prefregex, a failregex or an ignoreregex): fail2ban tags
 * expanded, translated from Python, with its groups read the way fail2ban reads them.
 */
import { LogjailError } from '../errors.js';
import { translate, requiredLiterals, type CompiledPattern } from './pyregex/index.js';
import { expandHostTags } from './hostTags.js';

/** fail2ban's group dict: every named group, undefined when it did not take part. */
export type Groups = Record<string, unknown>;

export interface FilterRegexOptions {
  readonly multiline: boolean;
  readonly noDns: boolean;
  readonly context: string;
}

const COMPOSITE = /^(alt_|tuple_)(.*?)(?:_\d+)?$/;
/**
 * A global flag group wrapped in a group, `((?i)x)` or `(?:(?i)x)`, is read as the scoped
 * `(?i:x)`, as fail2ban does (Python 3.11 rejects global flags that are not at the start).
 */
const GLOBAL_TO_SCOPED = /(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)/g;
const RENAME: Readonly<Record<string, string>> = { id: 'fid', port: 'fport' };

export class FilterRegex {
  /** As configured, with fail2ban tags. */
  readonly configured: string;
  /** Python pattern after tag expansion. */
  readonly expanded: string;
  readonly compiled: CompiledPattern;
  /** Literals one of which any match contains (null: no pre-filter possible). */
  readonly literals: readonly string[] | null;
  readonly regex: RegExp;
  private readonly names: readonly string[];
  private readonly js: readonly (readonly number[])[];
  private readonly alts: readonly (readonly [string, string])[];
  private readonly tuples: readonly (readonly [string, string])[];
  private readonly skipGroups: readonly (readonly number[])[];

  constructor(configured: string, opts: FilterRegexOptions) {
    this.configured = configured;
    this.expanded = expandHostTags(configured, { noDns: opts.noDns }).replace(GLOBAL_TO_SCOPED, '$1:');
    if (this.expanded.trim() === '') throw new LogjailError('REGEX_EMPTY', `${opts.context} is empty`);
    const tOpts = { multiline: opts.multiline, context: opts.context };
    this.compiled = translate(this.expanded, tOpts);
    this.literals = requiredLiterals(this.expanded, tOpts);
    this.regex = this.compiled.regex;
    this.names = this.compiled.names;
    this.js = this.names.map((n) => this.compiled.named.get(n) ?? []);
    const alts: [string, string][] = [];
    const tuples: [string, string][] = [];
    const skips: { n: number; js: readonly number[] }[] = [];
    for (const name of this.names) {
      if (name.length > 4) {
        const m = COMPOSITE.exec(name);
        if (m !== null) {
          const target = RENAME[m[2]!] ?? m[2]!;
          (m[1] === 'alt_' ? alts : tuples).push([name, target]);
        }
      }
      const s = /^skiplines(\d+)$/.exec(name);
      if (s !== null) skips.push({ n: Number(s[1]), js: this.compiled.named.get(name) ?? [] });
    }
    const byName = (a: readonly [string, string], b: readonly [string, string]): number =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    this.alts = alts.sort(byName);
    this.tuples = tuples.sort(byName);
    // fail2ban reads skiplines0, skiplines1, ... until the first missing number
    skips.sort((a, b) => a.n - b.n);
    const seq: (readonly number[])[] = [];
    for (let i = 0; i < skips.length && skips[i]!.n === i; i++) seq.push(skips[i]!.js);
    this.skipGroups = seq;
  }

  /**
   * Can a match start at the beginning of a text whose first character has this code
   * (128: any non-ASCII)? Only patterns anchored with ^ can say no.
   */
  canStartWith(_code: number): boolean {
    return true;
  }

  hasGroup(name: string): boolean {
    return this.compiled.named.has(name);
  }

  /** Value of one named group in a match. */
  group(m: RegExpExecArray, name: string): string | undefined {
    const js = this.compiled.named.get(name);
    if (js === undefined) return undefined;
    for (const i of js) {
      const v = m[i];
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** fail2ban's groupdict(), with alt_/tuple_ groups folded in. */
  groups(m: RegExpExecArray): Groups {
    const out: Groups = {};
    const names = this.names;
    for (let k = 0; k < names.length; k++) {
      let v: string | undefined;
      for (const i of this.js[k]!) {
        v = m[i];
        if (v !== undefined) break;
      }
      out[names[k]!] = v;
    }
    for (const [k, n] of this.alts) {
      const v = out[k];
      if (v && !out[n]) out[n] = v;
    }
    for (const [k, n] of this.tuples) {
      const v = out[k];
      const t = out[n];
      out[n] = Array.isArray(t) ? [...(t as unknown[]), v] : [t, v];
    }
    return out;
  }

  /** Lines captured by <SKIPLINES> (they stay unmatched in a multi-line buffer). */
  skippedLines(m: RegExpExecArray): string[] {
    if (this.skipGroups.length === 0) return [];
    let s = '';
    for (const js of this.skipGroups) {
      for (const i of js) {
        const v = m[i];
        if (v !== undefined) { s += v; break; }
      }
    }
    return pySplitLines(s);
  }
}

/** Python's str.splitlines(): breaks at \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029. */
export function pySplitLines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 11 || c === 12 || (c >= 0x1c && c <= 0x1e) || c === 0x85 || c === 0x2028 || c === 0x2029) {
      out.push(s.slice(start, i));
      if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}
