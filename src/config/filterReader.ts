/**
 * Filters (filter.d/NAME.conf + .local + includes) resolved the way fail2ban's client does.
 *
 * The options fail2ban takes from a filter are prefregex, failregex, ignoreregex, maxlines,
 * datepattern, journalmatch and usedns, from [Definition], after `%(...)s` interpolation and
 * `<tag>` substitution among the filter's options (see definition.ts). The parameter `logtype`
 * is set automatically (journal for a systemd backend, else file) unless given or defined.
 * A jail may set any of those options itself: it then replaces the filter's value (prefregex,
 * maxlines and usedns given as filter parameters or [Init] values still win, and failregex,
 * ignoreregex and journalmatch lines given both ways are all kept, as in fail2ban).
 */
import * as path from 'node:path';
import { LogjailError, type Place } from '../errors.js';
import { DefinitionReader, DEFINITION, INIT, lowerKeys, pyInt } from './definition.js';
import type { IniValue } from './ini.js';
import { interpolate, KNOWN_PREFIX } from './interpolate.js';
import { ConfigFiles, joinPath, type LayeredConfig } from './reader.js';
import { Diagnostics } from './diagnostics.js';
import { shellSplit } from './shellSplit.js';
import { conditionalBases, resolveTagsIn } from './tags.js';
import { traceLines, type TraceSource } from './trace.js';
import type { FilterDefinition } from './types.js';

export const FILTER_OPTIONS = ['usedns', 'prefregex', 'ignoreregex', 'failregex', 'maxlines', 'datepattern', 'journalmatch'] as const;
export type FilterOption = typeof FILTER_OPTIONS[number];

/** A value a jail sets for one of the filter options, with how to trace its lines. */
export interface JailValue {
  readonly value: string;
  readonly place: Place;
  readonly trace?: TraceSource | undefined;
}

/** The state of reading one filter for one jail (fail2ban reads it in two passes). */
export class FilterReading {
  readonly reader: DefinitionReader;
  private readonly paramPlace: Place;

  private constructor(readonly name: string, readonly cfg: LayeredConfig, params: Readonly<Record<string, string>>,
    readonly file: string, place: Place) {
    this.reader = new DefinitionReader(cfg, file, params, FILTER_OPTIONS);
    this.paramPlace = place;
  }

  /** Locate and read the filter; LJ401 when it does not exist. */
  static open(files: ConfigFiles, name: string, params: Readonly<Record<string, string>>, place: Place = {}): FilterReading {
    const explicit = /\.(conf|local)$/.test(name) && name.includes('/');
    const layerName = explicit ? name : name.startsWith('./') ? path.resolve(name) : joinPath('filter.d', name);
    const cfg = explicit ? files.explicit(name) : files.layered(layerName);
    if (cfg === null || cfg.files.length === 0) {
      throw new LogjailError('FILTER_NOT_FOUND',
        `filter "${name}" not found (looked for ${explicit ? path.resolve(name) : joinPath(files.baseDir, layerName) + '.conf/.local'})`, place);
    }
    return new FilterReading(name, cfg, params, cfg.roots[0]!, place);
  }

  /** logtype = journal for systemd backends, else file, unless given as parameter or in [Definition]. */
  applyAutoOptions(backend: string): void {
    const given = this.reader.initOpts.get('logtype');
    if ((given === undefined || given === '') && !this.cfg.has(DEFINITION, 'logtype', false)) {
      this.reader.initOpts.set('logtype', backend.startsWith('systemd') ? 'journal' : 'file');
    }
  }

  /** Build the definition, with the jail's own values for filter options (if any). */
  build(jail: ReadonlyMap<string, JailValue> = new Map()): FilterDefinition {
    const c = this.reader.combined();
    const own = (opt: FilterOption): JailValue | undefined => {
      const v = c.get(opt);
      return v === undefined ? undefined : { value: v, place: this.placeOf(opt), trace: this.traceSource(opt) };
    };
    // Which value the server ends up with (see the module comment).
    const first = (opt: FilterOption): JailValue | undefined => own(opt) ?? jail.get(opt);
    const last = (opt: FilterOption): JailValue | undefined => jail.get(opt) ?? own(opt);
    const both = (opt: FilterOption): JailValue[] => [own(opt), jail.get(opt)].filter((x): x is JailValue => x !== undefined);

    const failregex = lines(both('failregex'));
    const ignoreregex = lines(both('ignoreregex'));
    const journal = lines(both('journalmatch'));
    const pref = first('prefregex');
    const maxlines = first('maxlines');
    const datepattern = last('datepattern');
    const usedns = first('usedns');

    let maxlinesValue = 1;
    if (maxlines !== undefined) {
      const n = pyInt(maxlines.value);
      if (n === undefined || n <= 0) {
        throw new LogjailError('FILTER_OPTION', `maxlines must be a positive integer, got ${JSON.stringify(maxlines.value)}`,
          { ...maxlines.place, key: 'maxlines' });
      }
      maxlinesValue = n;
    }
    const journalmatch = journal.items.map((l, i) => Object.freeze(shellSplit(l, journal.places[i]!)));

    const options: Record<string, string> = {};
    for (const [k, v] of this.reader.initOpts) if (!k.startsWith('known/')) options[k] = c.get(k) ?? v;

    const def: FilterDefinition = {
      name: this.name,
      file: this.file,
      files: Object.freeze([...this.cfg.files]),
      ...(pref !== undefined && pref.value !== '' ? { prefregex: pref.value } : {}),
      failregex: Object.freeze(failregex.items),
      ignoreregex: Object.freeze(ignoreregex.items),
      maxlines: maxlinesValue,
      ...(datepattern !== undefined && datepattern.value.trim() !== '' ? { datepattern: datepattern.value } : {}),
      journalmatch: Object.freeze(journalmatch),
      ...(usedns !== undefined ? { usedns: usedns.value } : {}),
      options: Object.freeze(options),
      places: Object.freeze({
        ...(pref !== undefined && pref.value !== '' ? { prefregex: pref.place } : {}),
        failregex: Object.freeze(failregex.places),
        ignoreregex: Object.freeze(ignoreregex.places),
        ...(maxlines !== undefined ? { maxlines: maxlines.place } : {}),
        ...(datepattern !== undefined ? { datepattern: datepattern.place } : {}),
        journalmatch: Object.freeze(journal.places),
      }),
    };
    return Object.freeze(def);
  }

  /** Where the combined value of `opt` comes from: a jail parameter, [Init] or [Definition]. */
  placeOf(opt: string): Place {
    if (this.reader.initOpts.has(opt)) {
      const e = this.cfg.sections.get(INIT)?.get(opt);
      return e !== undefined ? { file: e.file, line: e.line, section: INIT, key: opt } : { ...this.paramPlace, key: opt };
    }
    return this.reader.placeOf(opt);
  }

  /** How to re-expand single lines of an option (for line-accurate places). */
  traceSource(opt: string): TraceSource | undefined {
    const fromInit = this.reader.initOpts.has(opt);
    const entry = fromInit ? this.cfg.sections.get(INIT)?.get(opt) : this.cfg.entry(DEFINITION, opt);
    if (entry === undefined) return undefined;
    return this.source(fromInit ? INIT : DEFINITION, opt, entry);
  }

  private source(section: string, key: string, entry: IniValue): TraceSource {
    const combined = this.reader.combined();
    const skip = conditionalBases(combined.keys());
    const lookup = (tag: string): string | undefined => combined.get(tag) ?? this.reader.lookupOption(tag);
    const vars = section === DEFINITION ? lowerKeys(this.reader.variables) : undefined;
    return {
      entry, section, key,
      expandLine: (raw) => resolveTagsIn(interpolate(this.cfg, section, key, raw, vars), lookup, skip),
      follow: (kind, name) => {
        if (kind === '%') {
          const lower = name.toLowerCase();
          const e = lower.startsWith('known/')
            ? this.cfg.sections.get(KNOWN_PREFIX + section)?.get(lower.slice(6)) ?? this.cfg.defaults.get(lower.slice(6))
            : this.cfg.entry(section, lower);
          return e === undefined ? undefined : this.source(section, lower, e);
        }
        const tag = resolveTagsIn(name, lookup, skip);
        return tag.includes('<') || tag.includes('/') ? undefined : this.traceSource(tag);
      },
    };
  }
}

/** Non-empty lines of the values, in order, each with its place. */
function lines(values: readonly JailValue[]): { items: string[]; places: Place[] } {
  const items: string[] = [];
  const places: Place[] = [];
  for (const v of values) {
    const ls = v.value.split('\n').filter((l) => l !== '');
    items.push(...ls);
    if (v.trace !== undefined) places.push(...traceLines(v.trace, ls.length));
    else for (let i = 0; i < ls.length; i++) places.push(v.place);
  }
  return { items, places };
}

/**
 * Read filter NAME (a name in BASEDIR/filter.d, or a path to a .conf/.local file) with the
 * parameters given (`sshd[mode=aggressive]` → name "sshd", params {mode: "aggressive"}).
 * `jailOverrides` are a jail's resolved options (backend, failregex, maxlines, ...).
 */
export function readFilter(baseDir: string, name: string, params: Readonly<Record<string, string>> = {},
  jailOverrides?: Readonly<Record<string, string>>): FilterDefinition {
  return readFilterWith(new ConfigFiles(baseDir, new Diagnostics()), name, params, jailOverrides);
}

/**
 * Read a filter on its own, as `fail2ban-regex` does, or for a jail whose options are given
 * (`jail`: the jail's resolved options, e.g. backend and failregex overrides).
 */
export function readFilterWith(files: ConfigFiles, name: string, params: Readonly<Record<string, string>> = {},
  jail?: Readonly<Record<string, string>>): FilterDefinition {
  const r = FilterReading.open(files, name, params);
  r.applyAutoOptions(jail?.['backend'] ?? '');
  const outer = new Map(Object.entries(jail ?? {}));
  r.reader.readOptions(outer, false);
  const overrides = new Map<string, JailValue>();
  for (const opt of FILTER_OPTIONS) {
    const v = jail?.[opt];
    if (v !== undefined) overrides.set(opt, { value: v, place: { key: opt } });
  }
  return r.build(overrides);
}

