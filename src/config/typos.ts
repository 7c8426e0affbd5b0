/**
 * Misspelt option names. fail2ban silently treats an unknown key of a jail section as a mere
 * variable, so `bantme = 1h` leaves the ban time at its default. logjail accepts such keys too
 * but warns when one is within two edits of an option name and is not used as a variable
 * anywhere (`%(key)s` or `<key>`), which is how legitimate variables such as `port` or `action_`
 * are told apart from typos.
 */
import { DEFAULT_SECTION } from './ini.js';
import type { Diagnostics } from './diagnostics.js';
import type { LayeredConfig } from './reader.js';

const REF_RE = /%\(([^)]+)\)s|<([^ <>]+)>/g;

/** Warn about keys of [DEFAULT] and of the given sections that look like misspelt `known` names. */
export function checkTypos(cfg: LayeredConfig, sections: readonly string[], known: Iterable<string>, diagnostics: Diagnostics): void {
  const knownSet = new Set(known);
  const used = referencedNames(cfg);
  const check = (section: string, keys: Iterable<string>): void => {
    for (const key of keys) {
      if (knownSet.has(key) || used.has(key) || key.startsWith('known/')) continue;
      const near = nearest(key, knownSet);
      if (near === undefined) continue;
      const own = section === DEFAULT_SECTION ? cfg.defaults.get(key) : cfg.sections.get(section)?.get(key);
      diagnostics.warn('CONFIG_UNKNOWN_KEY', `"${key}" is not an option fail2ban reads; did you mean "${near}"?`,
        own !== undefined && own.line > 0 ? { file: own.file, line: own.line, section, key } : { section, key },
        `rename it to "${near}"; unknown keys are only variables for %(...)s and change nothing by themselves`);
    }
  };
  check(DEFAULT_SECTION, cfg.defaults.keys());
  for (const s of sections) check(s, cfg.sections.get(s)?.keys() ?? []);
}

/** Every name used as %(name)s (the option part of %(sec/opt)s too) or <name> in any value. */
function referencedNames(cfg: LayeredConfig): Set<string> {
  const out = new Set<string>();
  const scan = (v: string): void => {
    if (!v.includes('%(') && !v.includes('<')) return;
    REF_RE.lastIndex = 0;
    for (let m = REF_RE.exec(v); m !== null; m = REF_RE.exec(v)) {
      const name = (m[1] ?? m[2]!).toLowerCase();
      out.add(name);
      const slash = name.indexOf('/');
      if (slash >= 0) out.add(name.slice(slash + 1));
    }
  };
  for (const v of cfg.defaults.values()) scan(v.value);
  for (const s of cfg.sections.values()) for (const v of s.values()) scan(v.value);
  return out;
}

/** The closest known name within two edits, if any (and if the key is long enough to judge). */
export function nearest(key: string, known: Iterable<string>): string | undefined {
  if (key.length < 4) return undefined;
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(key, k, bestD);
    if (d < bestD) { best = k; bestD = d; }
  }
  return best;
}

/** Edit distance with adjacent transpositions counting as one edit; stops early beyond `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) { row.push(j); continue; }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (i > 0 && rowMin >= limit) return limit;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
