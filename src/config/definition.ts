/**
 * What filters and actions have in common: a file with a [Definition] section (the options
 * fail2ban reads) and an [Init] section (parameters with defaults, overridable from the jail
 * with `name[key=value]`), combined by `<tag>` substitution.
 *
 * Precedence when the options are combined: parameters given in the jail, then [Init], then
 * [Definition]. `known/<opt>` is the [Init] value of opt, so a parameter can extend it:
 * `filter = test[agents="x|<known/agents>"]`. [Definition] values are interpolated with the
 * parameters (and, for a jail, the jail's options) as `%(...)s` variables; [Init] values are not.
 * Tags that name no option are looked up with `lookupOption`: `<section/opt>`, `<known/opt>`,
 * `<default/opt>`, or a [Definition]/[DEFAULT] option not in the combined set.
 */
import type { Place } from '../errors.js';
import { DEFAULT_SECTION } from './ini.js';
import { KNOWN_PREFIX } from './interpolate.js';
import { type LayeredConfig, placeOf } from './reader.js';
import { conditionalBases, substituteTags } from './tags.js';

export const DEFINITION = 'Definition';
export const INIT = 'Init';
const SECTION_OPTION_RE = /^([\p{L}\p{N}_-]+)\/([^\s>]+)$/u;

export class DefinitionReader {
  /** Parameters from the jail, then [Init] values and their known/ twins. */
  readonly initOpts: Map<string, string>;
  /** The [Definition] options read by the last `readOptions`. */
  opts = new Map<string, string>();
  private pOpts = new Map<string, string>();
  private readonly lookupCache = new Map<string, string | undefined>();
  private combinedCache: { key: string; value: Map<string, string> } | undefined;

  constructor(readonly cfg: LayeredConfig, readonly file: string, params: Readonly<Record<string, string>>,
    private readonly configOpts: readonly string[]) {
    this.initOpts = new Map(Object.entries(params));
  }

  /**
   * Read the [Definition] options fail2ban knows (`configOpts`) with `outer` (the jail's options)
   * and the parameters as variables; options given in `outer` are left out (the jail sets them).
   * With `all`, every own option of [Definition] is read too.
   */
  readOptions(outer: ReadonlyMap<string, string> | undefined, all: boolean): void {
    const p = new Map(outer ?? []);
    for (const [k, v] of this.initOpts) p.set(k, v);
    const vars = lowerKeys(p);
    const opts = new Map<string, string>();
    const hasDefinition = this.cfg.hasSection(DEFINITION);
    for (const opt of this.configOpts) {
      if (p.has(opt) || !hasDefinition) continue;
      const v = this.cfg.get(DEFINITION, opt, vars);
      if (v !== undefined) opts.set(opt, v);
    }
    this.pOpts = p;
    if (this.cfg.hasSection(INIT)) {
      for (const opt of this.cfg.ownKeys(INIT)) {
        let v: string | undefined;
        if (!opt.startsWith('known/')) {
          v = this.cfg.get(INIT, opt)!;
          this.initOpts.set('known/' + opt, v);
        }
        if (!this.initOpts.has(opt)) this.initOpts.set(opt, v ?? this.cfg.get(INIT, opt)!);
      }
    }
    if (all && hasDefinition) {
      for (const opt of this.cfg.ownKeys(DEFINITION)) {
        if (opt === '__name__' || opts.has(opt)) continue;
        opts.set(opt, this.cfg.get(DEFINITION, opt)!);
      }
    }
    this.opts = opts;
    this.combinedCache = undefined;
  }

  /** The variables [Definition] values were interpolated with (outer options and parameters). */
  get variables(): ReadonlyMap<string, string> {
    return this.pOpts;
  }

  /**
   * [Definition] options merged with the parameters and [Init], tags substituted. Options that
   * have conditional variants (`opt?family=inet6`) are left for run time.
   */
  combined(ignore: Iterable<string> = []): ReadonlyMap<string, string> {
    const ignored = [...ignore];
    const key = ignored.join('\0');
    if (this.combinedCache?.key === key) return this.combinedCache.value;
    const value = this.combine(ignored);
    this.combinedCache = { key, value };
    return value;
  }

  private combine(ignore: readonly string[]): Map<string, string> {
    const all = new Map(this.opts);
    for (const [k, v] of this.initOpts) all.set(k, v);
    if (all.size === 0) return all;
    const skip = conditionalBases(all.keys());
    for (const k of ignore) skip.add(k);
    return substituteTags(all, { ignore: skip, lookup: (tag) => this.lookupOption(tag), place: { file: this.file } });
  }

  /** A tag's value from the file itself (cached for the life of this reader, as in fail2ban). */
  lookupOption(tag: string): string | undefined {
    if (this.lookupCache.has(tag)) return this.lookupCache.get(tag);
    const v = this.lookupUncached(tag);
    this.lookupCache.set(tag, v);
    return v;
  }

  private lookupUncached(tag: string): string | undefined {
    const m = tag.includes('/') ? SECTION_OPTION_RE.exec(tag) : null;
    if (m !== null) {
      const sec = m[1]!;
      const opt = m[2]!;
      const lower = sec.toLowerCase();
      const candidates = lower === 'known' ? [KNOWN_PREFIX + DEFINITION, DEFINITION]
        : [lower === 'default' ? DEFAULT_SECTION : sec];
      for (const s of candidates) {
        const v = this.cfg.get(s, opt);
        if (v !== undefined) return v;
      }
    }
    return this.cfg.get(DEFINITION, tag, lowerKeys(this.pOpts));
  }

  /** Where an option of [Definition] (or [DEFAULT]) was written. */
  placeOf(opt: string): Place {
    const own = this.cfg.sections.get(DEFINITION)?.get(opt);
    const e = own ?? this.cfg.defaults.get(opt);
    return { ...(e !== undefined ? placeOf(e) : { file: this.file }), section: own !== undefined ? DEFINITION : DEFAULT_SECTION, key: opt };
  }
}

/** Variables as Python's configparser sees them: keys lower-cased, the later of two equal keys wins. */
export function lowerKeys(m: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of m) out.set(k.toLowerCase(), v);
  return out;
}

/** fail2ban's boolean reading: 1, on, true, yes (any case) are true, anything else false. */
export function asBool(v: string): boolean {
  const l = v.toLowerCase();
  return l === '1' || l === 'on' || l === 'true' || l === 'yes';
}

/** Python's int(): optional sign, digits (single "_" between digits allowed), surrounding spaces. */
export function pyInt(v: string): number | undefined {
  const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(v);
  return m === null ? undefined : Number(m[1]!.replace(/_/g, ''));
}

/** How Python prints a value used as a `%(...)s` variable. */
export function pyStr(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}
