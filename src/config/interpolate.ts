/**
 * The first substitution layer: `%(name)s` references, resolved when a value is read.
 *
 * Semantics of Python's BasicInterpolation plus fail2ban's additions:
 *  - a name is looked up in the supplied variables, then the section, then [DEFAULT]
 *    (names are case-insensitive: they are lower-cased before the lookup);
 *  - `%(__name__)s` is the name of the section being read;
 *  - `%(sec/opt)s` is the raw value of opt in section sec (or [DEFAULT] when sec lacks it),
 *    `%(default/opt)s` the one in [DEFAULT], `%(known/opt)s` the value opt had in this section
 *    before a later file replaced it (or [DEFAULT]'s). The raw value found is then expanded in
 *    the context of the section being read. These forms only work when written in lower case,
 *    as in fail2ban (Python looks them up under the lower-cased name but stores them as written);
 *  - `%%` is a literal percent sign; any other "%" is an error;
 *  - values nest at most 10 levels deep.
 */
import { LogjailError, type Place } from '../errors.js';
import { DEFAULT_SECTION, type IniValue } from './ini.js';

/** The merged options a value is interpolated against. */
export interface ConfigView {
  readonly defaults: ReadonlyMap<string, IniValue>;
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, IniValue>>;
}

/** Variables that take precedence over the section (keys lower-case). */
export type Vars = ReadonlyMap<string, string>;

export const KNOWN_PREFIX = 'KNOWN/';
const MAX_DEPTH = 10;
const REF_RE = /%\(([^)]+)\)s/y;
const SECTION_REF_RE = /%\(([\p{L}\p{N}_-]+)\/([^)]+)\)s/gu;

/**
 * Expand `raw`, the value of `key` in `section`. Throws LogjailError LJ103 (unknown name,
 * bad syntax) or LJ104 (too deep), naming the chain of references that led there.
 */
export function interpolate(cfg: ConfigView, section: string, key: string, raw: string,
  vars?: Vars, place: Place = {}): string {
  if (!raw.includes('%')) return raw;
  const sect = section === DEFAULT_SECTION ? undefined : cfg.sections.get(section);
  const local = new Map<string, string>();
  if (vars !== undefined) for (const [k, v] of vars) local.set(k, v);
  const out: string[] = [];
  expand({ cfg, section, sect, key, place }, raw, 1, local, [key], out);
  return out.join('');
}

interface Ctx {
  readonly cfg: ConfigView;
  readonly section: string;
  readonly sect: ReadonlyMap<string, IniValue> | undefined;
  readonly key: string;
  readonly place: Place;
}

function expand(ctx: Ctx, rest: string, depth: number, parent: Map<string, string>,
  chain: readonly string[], out: string[]): void {
  if (depth > MAX_DEPTH) {
    throw new LogjailError('CONFIG_INTERPOLATION_DEPTH',
      `references nest more than ${MAX_DEPTH} levels deep: ${chain.join(' → ')}`, where(ctx));
  }
  // Each level sees its own copy, as in Python, so names mapped here do not leak upwards.
  const local = new Map(parent);
  local.set('__name__', ctx.section);
  mapSectionRefs(ctx, rest, local);
  let pos = 0;
  while (pos < rest.length) {
    const p = rest.indexOf('%', pos);
    if (p < 0) { out.push(pos === 0 ? rest : rest.slice(pos)); return; }
    if (p > pos) out.push(rest.slice(pos, p));
    const c = rest[p + 1];
    if (c === '%') { out.push('%'); pos = p + 2; continue; }
    if (c !== '(') {
      throw new LogjailError('CONFIG_INTERPOLATION',
        `"%" must be followed by "%" or "(", found ${JSON.stringify(clip(rest.slice(p)))}` + via(chain),
        where(ctx), 'write a literal percent sign as %% (for example datepattern = %%Y-%%m-%%d)');
    }
    REF_RE.lastIndex = p;
    const m = REF_RE.exec(rest);
    if (m === null) {
      throw new LogjailError('CONFIG_INTERPOLATION',
        `bad reference ${JSON.stringify(clip(rest.slice(p)))}: expected %(name)s` + via(chain), where(ctx),
        'close the reference as %(name)s, or write a literal percent sign as %%');
    }
    pos = p + m[0].length;
    const name = m[1]!.toLowerCase();
    const v = lookup(ctx, local, name);
    if (v === undefined) {
      throw new LogjailError('CONFIG_INTERPOLATION',
        `%(${m[1]!})s is not defined in [${ctx.section}] nor in [DEFAULT]` + via(chain), where(ctx));
    }
    if (v.includes('%')) expand(ctx, v, depth + 1, local, [...chain, name], out);
    else out.push(v);
  }
}

function lookup(ctx: Ctx, local: ReadonlyMap<string, string>, name: string): string | undefined {
  const l = local.get(name);
  if (l !== undefined) return l;
  const s = ctx.sect?.get(name);
  if (s !== undefined) return s.value;
  return ctx.cfg.defaults.get(name)?.value;
}

/** Make `%(sec/opt)s`, `%(known/opt)s` and `%(default/opt)s` found in `rest` resolvable. */
function mapSectionRefs(ctx: Ctx, rest: string, local: Map<string, string>): void {
  if (!rest.includes('/') || !rest.includes('%(')) return;
  SECTION_REF_RE.lastIndex = 0;
  for (let m = SECTION_REF_RE.exec(rest); m !== null; m = SECTION_REF_RE.exec(rest)) {
    const ref = m[1]! + '/' + m[2]!;
    if (lookup(ctx, local, ref) !== undefined) continue;
    const sec = m[1]!;
    const opt = m[2]!;
    const lower = sec.toLowerCase();
    let v: IniValue | undefined;
    if (lower === 'known') {
      v = ctx.cfg.sections.get(KNOWN_PREFIX + ctx.section)?.get(opt);
    } else if (lower !== 'default') {
      const other = ctx.cfg.sections.get(sec);
      if (other === undefined) continue;
      v = other.get(opt);
    }
    v ??= ctx.cfg.defaults.get(opt);
    if (v !== undefined) local.set(ref, v.value);
  }
}

function where(ctx: Ctx): Place {
  return { ...ctx.place, section: ctx.section, key: ctx.key };
}

function via(chain: readonly string[]): string {
  return chain.length > 1 ? ` (reached through ${chain.join(' → ')})` : '';
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
