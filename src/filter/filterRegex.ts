/**
 * One configured regex of a filter (prefregex, a failregex or an ignoreregex): fail2ban tags
 * expanded, translated from Python, with its groups read the way fail2ban reads them.
 */
import { LogjailError } from '../errors.js';
import { firstChars, groupNames, translate, requiredLiterals, type CompiledPattern } from './pyregex/index.js';
import { expandHostTags } from './hostTags.js';

/** fail2ban's group dict: every named group, undefined when it did not take part. */
export type Groups = Record<string, unknown>;

export interface FilterRegexOptions {
  readonly multiline: boolean;
  readonly noDns: boolean;
  readonly context: string;
  /**
   * The keys of the base dict groups() will be given (a failregex: its filter's prefregex's
   * groups), when known: the reader then takes them in its one object literal.
   */
  readonly base?: BaseKeys | undefined;
}

/** Keys of a base dict: `exact` when it has no others (no alt_/tuple_ targets added). */
export interface BaseKeys {
  readonly names: readonly string[];
  readonly exact: boolean;
}

const COMPOSITE = /^(alt_|tuple_)(.*?)(?:_\d+)?$/;
/**
 * A global flag group wrapped in a group, `((?i)x)` or `(?:(?i)x)`, is read as the scoped
 * `(?i:x)`, as fail2ban does (Python 3.11 rejects global flags that are not at the start).
 */
const GLOBAL_TO_SCOPED = /(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)/g;
const RENAME: Readonly<Record<string, string>> = { id: 'fid', port: 'fport' };

/** One translation of the pattern: for ASCII-only text, or for any text. */
interface Variant {
  readonly regex: RegExp;
  readonly named: ReadonlyMap<string, readonly number[]>;
  /** JS captures of skiplines0, skiplines1, ... */
  readonly skip: readonly (readonly number[])[];
  /** fail2ban's groupdict() of a match, over `base` (the prefregex's groups) when given. */
  readonly read: (m: RegExpExecArray, base: Groups | null) => Groups;
}

function variantOf(c: Pick<CompiledPattern, 'regex' | 'named'>, names: readonly string[], skipNames: readonly string[], base: BaseKeys | undefined): Variant {
  return {
    regex: c.regex,
    named: c.named,
    skip: skipNames.map((n) => c.named.get(n) ?? []),
    read: makeReader(names, names.map((n) => c.named.get(n) ?? []), base),
  };
}

/**
 * A reader made for one regex: it builds the group dict as one object literal (one fixed
 * shape, no dictionary-mode object), the value of each Python group being its first JS
 * capture that took part. Base groups not in this regex come after (dict.update semantics:
 * this regex's values, even undefined ones, win): the known base keys in the literal too
 * (undefined without a base, which every reader of a dict takes as absent), others added.
 */
function makeReader(names: readonly string[], js: readonly (readonly number[])[], base: BaseKeys | undefined): Variant['read'] {
  const value = (idx: readonly number[]): string => idx.length === 0 ? 'undefined'
    : idx.map((i) => `m[${i}]`).reduceRight((rest, cur) => `(${cur} !== undefined ? ${cur} : ${rest})`, 'undefined');
  const own = new Set(names);
  const fromBase = (base?.names ?? []).filter((n) => !own.has(n));
  const literal = [
    ...names.map((n, k) => `${JSON.stringify(n)}: ${value(js[k]!)}`),
    ...fromBase.map((n) => `${JSON.stringify(n)}: base !== null ? base[${JSON.stringify(n)}] : undefined`),
  ].join(', ');
  const rest = base?.exact === true ? '' : 'if (base !== null) for (const k in base) if (!(k in o)) o[k] = base[k];';
  // names are Python group names (identifiers), quoted anyway; indices are numbers
  return new Function('m', 'base', `"use strict";
    const o = { ${literal} };
    ${rest}
    return o;`) as Variant['read'];
}

/**
 * A regex's analysis and ASCII translation as plain data: another thread rebuilds the
 * FilterRegex from it without parsing or translating again (see CompiledFilter.data).
 */
export interface FilterRegexData {
  readonly names: readonly string[];
  readonly literals: readonly string[] | null;
  readonly first: Uint8Array | null;
  /** JS source, flags and captures per Python name; null when the translation is not a plain RegExp. */
  readonly ascii: { readonly source: string; readonly flags: string; readonly named: readonly (readonly [string, readonly number[]])[] } | null;
}

const NOT_YET: Variant = { regex: /(?!)/, named: new Map(), skip: [], read: () => ({}) };

/**
 * Log lines are nearly always pure ASCII; for them a translation with plain ASCII classes gives
 * the same results as the full Unicode one and is cheaper to build and to run. The Unicode
 * translation is built the first time a line with other characters comes.
 */
export class FilterRegex {
  /** As configured, with fail2ban tags. */
  readonly configured: string;
  /** Python pattern after tag expansion. */
  readonly expanded: string;
  /** Literals one of which any match contains (null: no pre-filter possible). */
  readonly literals: readonly string[] | null;
  private readonly names: readonly string[];
  private readonly skipNames: readonly string[];
  private readonly alts: readonly (readonly [string, string])[];
  private readonly tuples: readonly (readonly [string, string])[];
  private readonly opts: FilterRegexOptions;
  private asciiVariant: Variant | null = null;
  /** Possible first characters of a match at the start of the text (null: not anchored). */
  private readonly first: Uint8Array | null;
  private unicode: Variant | null = null;
  /** The variant of the last exec(): groups are read with its capture numbers. */
  private cur: Variant;

  /**
   * A prefregex ending `(?P<content>.+)$` (without DOTALL or MULTILINE): on a text ending with
   * "\n", a match's content always ends right before that "\n" (`.` cannot take it, `$` is there).
   */
  readonly contentEndsText: boolean;
  /** The ASCII translation given as data (FilterRegexData), built into a RegExp when first used. */
  private readonly given: FilterRegexData['ascii'];

  /** `data`: this regex's analysis and translation done elsewhere (see data). */
  constructor(configured: string, opts: FilterRegexOptions, data?: FilterRegexData) {
    this.configured = configured;
    this.opts = opts;
    this.expanded = expandHostTags(configured, { noDns: opts.noDns }).replace(GLOBAL_TO_SCOPED, '$1:');
    if (this.expanded.trim() === '') throw new LogjailError('REGEX_EMPTY', `${opts.context} is empty`);
    const aOpts = { multiline: opts.multiline, context: opts.context };
    // one analysis gives names, literals and first characters; the JS regexes are built when
    // first used (a thread that only pre-filters never builds them)
    this.names = data !== undefined ? data.names : groupNames(this.expanded, aOpts);
    this.literals = data !== undefined ? data.literals : requiredLiterals(this.expanded, aOpts);
    this.first = data !== undefined ? data.first : firstChars(this.expanded, aOpts);
    this.given = data?.ascii ?? null;
    this.contentEndsText = !opts.multiline && this.expanded.endsWith('(?P<content>.+)$') && !/\(\?[a-zA-Z]*s/.test(this.expanded);
    const alts: [string, string][] = [];
    const tuples: [string, string][] = [];
    const skips: { n: number; name: string }[] = [];
    for (const name of this.names) {
      if (name.length > 4) {
        const m = COMPOSITE.exec(name);
        if (m !== null) {
          const target = RENAME[m[2]!] ?? m[2]!;
          (m[1] === 'alt_' ? alts : tuples).push([name, target]);
        }
      }
      const s = /^skiplines(\d+)$/.exec(name);
      if (s !== null) skips.push({ n: Number(s[1]), name });
    }
    const byName = (a: readonly [string, string], b: readonly [string, string]): number =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    this.alts = alts.sort(byName);
    this.tuples = tuples.sort(byName);
    // fail2ban reads skiplines0, skiplines1, ... until the first missing number
    skips.sort((a, b) => a.n - b.n);
    const seq: string[] = [];
    for (let i = 0; i < skips.length && skips[i]!.n === i; i++) seq.push(skips[i]!.name);
    this.skipNames = seq;
    this.cur = NOT_YET;
  }

  /** The translation for ASCII-only text (what most log lines are). */
  private get ascii(): Variant {
    if (this.asciiVariant === null) {
      const g = this.given;
      const c = g !== null ? { regex: new RegExp(g.source, g.flags), named: new Map(g.named) }
        : translate(this.expanded, { multiline: this.opts.multiline, context: this.opts.context, unicode: false });
      this.asciiVariant = variantOf(c, this.names, this.skipNames, this.opts.base);
    }
    return this.asciiVariant;
  }

  /** The analysis and the ASCII translation (made now if need be) as data, for another thread. */
  get data(): FilterRegexData {
    const v = this.ascii;
    // a translation that replays loops is a RegExp subclass: the other thread translates itself
    const plain = Object.getPrototypeOf(v.regex) === RegExp.prototype;
    return {
      names: this.names,
      literals: this.literals,
      first: this.first,
      ascii: plain ? { source: v.regex.source, flags: v.regex.flags, named: [...v.named] } : null,
    };
  }

  /** The regex for ASCII-only text. */
  get regex(): RegExp {
    return this.ascii.regex;
  }

  /** Build the translations now (configuration checks want every error up front). */
  prepare(): void {
    void this.ascii;
    this.prepareUnicode();
  }

  /** Build the Unicode translation now (configuration checks want every error up front). */
  prepareUnicode(): void {
    if (this.unicode === null) {
      const c = translate(this.expanded, { multiline: this.opts.multiline, context: this.opts.context });
      this.unicode = variantOf(c, this.names, this.skipNames, this.opts.base);
    }
  }

  /** re.search on `text`; `ascii` says whether the text is pure ASCII. */
  exec(text: string, ascii: boolean): RegExpExecArray | null {
    let v = this.ascii;
    if (!ascii) {
      if (this.unicode === null) this.prepareUnicode();
      v = this.unicode!;
    }
    this.cur = v;
    return v.regex.exec(text);
  }

  /**
   * Can a match start at the beginning of a text whose first character has this code
   * (128: any non-ASCII)? Only patterns anchored with ^ can say no.
   */
  canStartWith(code: number): boolean {
    return this.first === null || this.first[code < 128 ? code : 128] === 1;
  }

  /** The keys of the dict groups() gives (without a base), for another regex's BaseKeys. */
  get keys(): BaseKeys {
    return { names: [...this.names, ...this.alts.map((a) => a[1]), ...this.tuples.map((t) => t[1])].filter((n, i, a) => a.indexOf(n) === i),
      exact: this.alts.length === 0 && this.tuples.length === 0 };
  }

  hasGroup(name: string): boolean {
    return this.names.includes(name);
  }

  /** Value of one named group in a match. */
  group(m: RegExpExecArray, name: string): string | undefined {
    const js = this.cur.named.get(name);
    if (js === undefined) return undefined;
    for (const i of js) {
      const v = m[i];
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /**
   * fail2ban's groupdict(), with alt_/tuple_ groups folded in; over `base` (the prefregex's
   * groups, overwritten by this regex's) when given.
   */
  groups(m: RegExpExecArray, base: Groups | null = null): Groups {
    const out = this.cur.read(m, base);
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
    if (this.skipNames.length === 0) return [];
    let s = '';
    for (const js of this.cur.skip) {
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
