/**
 * The second substitution layer: `<tag>` references among the options of a filter or an action.
 *
 * At load time fail2ban resolves tags among a definition's own options, recursively
 * (`substituteTags`): `b = <a>_x` becomes `b = 3_x` when `a = 3`. Tags nest and resolve inner
 * first (`<lt_<logtype>/__prefix_line>` → `<lt_file/__prefix_line>` → its value); tags that name
 * no option are left as they are (`<HOST>`, `<ip>`, a shell's `<STDIN>`); a tag that leads back to
 * itself is an error. At run time the action executor calls `replaceTags` with the action's
 * properties plus ticket values, and a conditional such as "family=inet6" that makes
 * `opt?family=inet6` (from a section `[Init?family=inet6]`) win over `opt`.
 */
import { LogjailError, type Place } from '../errors.js';

/** A tag is "<" + characters other than space, "<" and ">" + ">". */
const TAG_RE = /<([^ <>]+)>/g;
/** fail2ban gives up on a tag replaced more than this many times inside one value. */
const MAX_REPLACEMENTS = 25;

/** Resolves a tag that is not one of the options (e.g. `<lt_file/__prefix_line>`). */
export type TagLookup = (tag: string) => string | undefined;

export interface SubstituteOptions {
  /** e.g. "family=inet6": prefer `tag?family=inet6` over `tag`. */
  readonly conditional?: string;
  /** Tags neither resolved nor substituted into others. */
  readonly ignore?: ReadonlySet<string>;
  readonly lookup?: TagLookup;
  /** Where the definition comes from, for error messages. */
  readonly place?: Place;
}

/**
 * Resolve tags among `values` until nothing more can be replaced. Returns a new map (same keys).
 * Throws LogjailError LJ105 for self-referencing definitions.
 */
export function substituteTags(values: ReadonlyMap<string, string>, opts: SubstituteOptions = {}): Map<string, string> {
  const tags = new Map(values);
  const ignore = opts.ignore ?? EMPTY;
  const cond = opts.conditional ?? '';
  const done = new Set<string>();
  const counts = new Map<string, Map<string, number>>();
  const keys = [...values.keys()];
  for (;;) {
    let again = false;
    for (const tag of keys) {
      if (ignore.has(tag) || done.has(tag)) continue;
      const original = tags.get(tag)!;
      let value = original;
      const perTag = counts.get(tag) ?? new Map<string, number>();
      let m = search(value, 0);
      while (m !== null) {
        const ref = m[1]!;
        if (ignore.has(ref)) { m = search(value, m.index + m[0].length); continue; }
        if (ref === tag || (perTag.get(ref) ?? 1) > MAX_REPLACEMENTS) {
          throw new LogjailError('CONFIG_TAG_RECURSION',
            `<${tag}> refers back to itself through <${ref}> (value now ${JSON.stringify(clip(value))})`,
            { ...opts.place, key: tag });
        }
        let repl: string | undefined;
        if (cond !== '') repl = tags.get(ref + '?' + cond);
        if (repl === undefined) repl = tags.get(ref) ?? opts.lookup?.(ref);
        if (repl === undefined) { m = search(value, m.index + m[0].length); continue; }
        value = value.split('<' + ref + '>').join(repl);
        perTag.set(ref, (perTag.get(ref) ?? 0) + 1);
        // Search again from the same place: the replacement may itself hold (or complete) a tag.
        m = search(value, m.index);
      }
      if (value !== original) {
        if (search(value, 0) !== null) { counts.set(tag, perTag); again = true; }
        tags.set(tag, value);
      }
      if (!value.includes('<')) done.add(tag);
    }
    if (!again) return tags;
  }
}

/**
 * Resolve the tags of one text against already-resolved values (used to re-expand single lines
 * when tracing where a regex was written). Inner tags first, like `substituteTags`.
 */
export function resolveTagsIn(text: string, lookup: TagLookup, ignore: ReadonlySet<string> = EMPTY): string {
  let value = text;
  let budget = 200;
  let m = search(value, 0);
  while (m !== null) {
    const ref = m[1]!;
    const repl = ignore.has(ref) ? undefined : lookup(ref);
    if (repl === undefined || --budget <= 0) { m = search(value, m.index + m[0].length); continue; }
    value = value.split('<' + ref + '>').join(repl);
    m = search(value, m.index > 0 ? lastOpen(value, m.index) : 0);
  }
  return value;
}

/** Where to search again after a replacement at `at`: an enclosing "<" may now close. */
function lastOpen(s: string, at: number): number {
  const p = s.lastIndexOf('<', at - 1);
  return p < 0 ? at : p;
}

/** Tags whose values come from log lines and are escaped for the shell when substituted. */
export const ESCAPED_TAGS: ReadonlySet<string> = new Set(['matches', 'ipmatches', 'ipjailmatches']);

/** Tags every action command knows. */
const BUILTIN_TAGS: ReadonlyMap<string, string> = new Map([['br', '\n'], ['sp', ' ']]);

/**
 * Substitute the static tags of an action command, as fail2ban does before running it:
 * the values are first resolved among themselves (`substituteTags`), then every `<tag>` of `text`
 * is replaced (the conditional variant first), repeatedly while replacements bring new tags.
 * Unknown tags stay as written unless `fallback` knows them (`<br>` and `<sp>` are built in).
 * Values of `matches`, `ipmatches` and `ipjailmatches` are backslash-escaped (`escapeTag`).
 */
export function replaceTags(text: string, values: ReadonlyMap<string, string>, conditional = '',
  fallback?: TagLookup): string {
  if (!text.includes('<')) return text;
  const resolved = substituteTags(values, { conditional, ignore: ESCAPED_TAGS });
  let query = text;
  for (let left = MAX_REPLACEMENTS + 1; ;) {
    const next = query.replace(TAG_RE, (whole: string, tag: string) => {
      let v = conditional !== '' ? resolved.get(tag + '?' + conditional) : undefined;
      v ??= resolved.get(tag);
      if (v === undefined) return fallback?.(tag) ?? BUILTIN_TAGS.get(tag) ?? whole;
      return ESCAPED_TAGS.has(tag) ? escapeTag(v) : v;
    });
    if (next === query || !next.includes('<')) return next;
    query = next;
    if (--left <= 0) {
      throw new LogjailError('CONFIG_TAG_RECURSION',
        `tags keep producing new tags in ${JSON.stringify(clip(text))}`);
    }
  }
}

const SHELL_SPECIAL_RE = /[\\#&;`|*?~<>^()[\]{}$'"\n\r]/g;

/** Backslash-escape characters a shell would interpret (newline → \n, CR → \r). */
export function escapeTag(value: string): string {
  return value.replace(SHELL_SPECIAL_RE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\' + c));
}

/** The value of `key` for a conditional ("family=inet6"): `key?family=inet6` when defined, else `key`. */
export function conditionalValue(values: ReadonlyMap<string, string>, key: string, conditional = ''): string | undefined {
  if (conditional !== '') {
    const v = values.get(key + '?' + conditional);
    if (v !== undefined) return v;
  }
  return values.get(key);
}

const CONDITIONAL_KEY_RE = /^([\p{L}\p{N}_]+)\?(.+)$/u;
const FAMILY_KEY_RE = /^[\p{L}\p{N}_]+\?family=/u;

/** Base names of options that have conditional variants (`blocktype` for `blocktype?family=inet6`). */
export function conditionalBases(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) {
    const m = CONDITIONAL_KEY_RE.exec(k);
    if (m !== null) out.add(m[1]!);
  }
  return out;
}

/** Whether an action has `?family=` variants (its start then runs on demand, per family). */
export function hasFamilyConditionals(keys: Iterable<string>): boolean {
  for (const k of keys) if (FAMILY_KEY_RE.test(k)) return true;
  return false;
}

function search(s: string, from: number): RegExpExecArray | null {
  TAG_RE.lastIndex = from;
  return TAG_RE.exec(s);
}

const EMPTY: ReadonlySet<string> = new Set();

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
