/**
 * A filter definition compiled once: its regexes translated and checked. Immutable and
 * shared by every log stream that uses the filter; the per-stream state lives in `Filter`.
 */
import { LogjailError, type Place } from '../errors.js';
import { FilterRegex, type BaseKeys, type FilterRegexData } from './filterRegex.js';
import { FAILURE_ID_GROUPS } from './hostTags.js';
import { LiteralPrefilter } from './prefilter.js';

export type UseDns = 'yes' | 'warn' | 'no' | 'raw';

/** What a filter needs, independent of where it was read from. */
export interface FilterSpec {
  readonly name: string;
  readonly prefregex?: string | undefined;
  readonly failregex: readonly string[];
  readonly ignoreregex?: readonly string[] | undefined;
  readonly maxlines?: number | undefined;
  readonly datepattern?: string | undefined;
  /** Where the filter came from, for error messages. */
  readonly place?: Place | undefined;
  /** Where each regex was written, when known. */
  readonly places?: {
    readonly prefregex?: Place | undefined;
    readonly failregex?: readonly Place[] | undefined;
    readonly ignoreregex?: readonly Place[] | undefined;
  } | undefined;
}

export interface CompileOptions {
  readonly useDns?: UseDns | undefined;
  /** The same filter's regexes analysed and translated already, in another thread (see data). */
  readonly data?: CompiledFilterData | undefined;
}

/** A compiled filter's regexes as plain data (postMessage-able). */
export interface CompiledFilterData {
  readonly prefregex: FilterRegexData | null;
  readonly failregex: readonly FilterRegexData[];
  readonly ignoreregex: readonly FilterRegexData[];
}

export class CompiledFilter {
  readonly name: string;
  readonly maxlines: number;
  readonly datepattern: string | undefined;
  readonly useDns: UseDns;
  readonly prefRegex: FilterRegex | null;
  readonly failRegex: readonly FilterRegex[];
  readonly ignoreRegex: readonly FilterRegex[];
  /**
   * Literal pre-filter: a line whose date-less text contains none of these cannot match any
   * failregex. null when some failregex has no usable literal.
   */
  readonly prefilter: LiteralPrefilter | null;
  /** Failregex indices to try, by the first character of the text (ASCII); [128] for the rest. */
  private readonly byFirst: readonly (readonly number[])[];

  constructor(spec: FilterSpec, opts: CompileOptions = {}) {
    this.name = spec.name;
    const maxlines = spec.maxlines ?? 1;
    if (!Number.isInteger(maxlines) || maxlines < 1) {
      throw new LogjailError('FILTER_OPTION', `maxlines must be a positive integer, got ${String(spec.maxlines)}`,
        { ...spec.place, key: 'maxlines' });
    }
    this.maxlines = maxlines;
    this.datepattern = spec.datepattern;
    this.useDns = opts.useDns ?? 'warn';
    const noDns = this.useDns === 'no';
    const given = opts.data;
    const compile = (re: string, what: string, multiline: boolean, at?: Place, base?: BaseKeys, data?: FilterRegexData | null): FilterRegex => {
      try {
        return new FilterRegex(re, { multiline, noDns, context: `filter ${spec.name}, ${what}`, base }, data ?? undefined);
      } catch (e) {
        if (e instanceof LogjailError) throw e.withPlace({ ...spec.place, key: what.replace(/ \d+$/, ''), ...at });
        throw e;
      }
    };
    this.prefRegex = spec.prefregex !== undefined && spec.prefregex.trim() !== ''
      ? compile(spec.prefregex, 'prefregex', false, spec.places?.prefregex, undefined, given?.prefregex) : null;
    if (spec.failregex.length === 0) {
      throw new LogjailError('FILTER_DEFINITION', `filter ${spec.name} has no failregex`, { ...spec.place, key: 'failregex' });
    }
    this.failRegex = spec.failregex.map((r, i) => {
      const fr = compile(r, `failregex ${i + 1}`, maxlines > 1, spec.places?.failregex?.[i], this.prefRegex?.keys, given?.failregex[i]);
      if (!FAILURE_ID_GROUPS.some((g) => fr.hasGroup(g) || (this.prefRegex?.hasGroup(g) ?? false))) {
        throw new LogjailError('REGEX_NO_FAILURE_ID', `filter ${spec.name}, failregex ${i + 1}: ${r}`,
          { ...spec.place, key: 'failregex' });
      }
      return fr;
    });
    this.ignoreRegex = (spec.ignoreregex ?? []).map((r, i) => compile(r, `ignoreregex ${i + 1}`, false, spec.places?.ignoreregex?.[i], undefined, given?.ignoreregex[i]));
    this.prefilter = LiteralPrefilter.from(this.failRegex.map((r) => r.literals));
    const all = this.failRegex.map((_r, i) => i);
    const byFirst: number[][] = [];
    for (let c = 0; c <= 128; c++) byFirst.push(all.filter((i) => this.failRegex[i]!.canStartWith(c)));
    this.byFirst = byFirst;
  }

  /** Build the regexes for ASCII text now: a translation problem is reported before any output. */
  prepare(): this {
    void this.prefRegex?.regex;
    for (const r of this.failRegex) void r.regex;
    for (const r of this.ignoreRegex) void r.regex;
    return this;
  }

  /**
   * The regexes' analyses and ASCII translations (made now if need be) as data: another thread
   * compiles the same spec with them (CompileOptions.data) without parsing or translating.
   */
  data(): CompiledFilterData {
    return {
      prefregex: this.prefRegex?.data ?? null,
      failregex: this.failRegex.map((r) => r.data),
      ignoreregex: this.ignoreRegex.map((r) => r.data),
    };
  }

  /** Build every translation (ASCII and Unicode) now, so that a check reports every problem up front. */
  prepareAll(): void {
    this.prefRegex?.prepare();
    for (const r of this.failRegex) r.prepare();
    for (const r of this.ignoreRegex) r.prepare();
  }

  /** The failregexes (indices, in order) that can match a text starting with this character code. */
  candidates(firstChar: number): readonly number[] {
    return this.byFirst[firstChar < 128 ? firstChar : 128]!;
  }
}
