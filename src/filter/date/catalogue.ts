/**
 * Which templates a `datepattern` value stands for: the default set (17 formats, each non-anchored
 * one with a line-anchored twin in front: 31), `{^LN-BEG}` (the 17 anchored ones), `{DATE}` inside
 * a regex (one template per default format), `{NONE}`, `Epoch`, `TAI64N`, and plain patterns.
 *
 * Templates are immutable definitions shared process-wide and cached by pattern, as in fail2ban
 * (where sharing also decides which templates carry the weight 100 of the anchored twins).
 */
import { LogjailError } from '../../errors.js';
import {
  DATE_PLACEHOLDER, epochTemplate, HAS_EPOCH_PLACEHOLDER, LINE_BEGIN, patternTemplate, pyStrip,
  tai64nTemplate, type TemplateDef, TemplateKind, unboundPattern,
} from './template.js';

/** The built-in formats, in fail2ban's order (examples of the lines each is meant for). */
const DEFAULT_PATTERNS: readonly string[] = [
  // 2005-01-23T21:59:59.981746+01:00, 2005/01/23 21:59:59, 2006.12.21 06:43:20
  '%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?',
  // syslog and asctime: Jan 23 21:59:59, Sun Jan 23 21:59:59.011 2005
  '(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  // Sun Jan 23 2005 21:59:59.011
  '(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?',
  // 23/01/2005 21:59:59, 23/01/05 21:59:59, 17-07-2008 17:23:25
  '%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S',
  // Apache [31/Oct/2006:09:22:55 -0000], 26-Jul-2007 15:20:52.252 +0200
  '%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?',
  // 05/20/2008:01:57:39
  '%m/%d/%ExY:%H:%M:%S',
  // 01-27-2012 16:22:44.252 (month first needs the fraction to differ from the 4th format)
  '%m-%d-%ExY %k:%M:%S(?:\\.%f)?',
  'EPOCH',
  // time of day only, at line start
  '{^LN-BEG}%H:%M:%S',
  // <09/16/08@05:03:30>
  '^<%m/%d/%Exy@%H:%M:%S>',
  // 130322 11:46:11
  '%Exy%Exm%Exd  ?%H:%M:%S',
  // Jan 23, 2005 9:59:59 PM
  '%b %d, %ExY %I:%M:%S %p',
  // Apr-27-13 02:33:06
  '^%b-%d-%Exy %k:%M:%S',
  // 20050123T215959, 20050123 215959
  '%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?',
  // zone name in front: PDT Apr 16 21:05:29
  '(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  // zone offset in front: +00:00 Jan 23 21:59:59.011 2005
  '(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  'TAI64N',
];

const cache = new Map<string, TemplateDef>();

/** Python str.upper() for the pattern keys (JS toUpperCase has the same full mappings). */
const keyOf = (pattern: string): string => (pattern.includes('%') ? pattern : pattern.toUpperCase());

/** Template for one pattern, from the cache (fail2ban's _getPatternTemplate). */
function templateFor(pattern: string, context: string, key = keyOf(pattern)): TemplateDef {
  let t = cache.get(key);
  if (t !== undefined) return t;
  if (key.includes('EPOCH')) {
    if (HAS_EPOCH_PLACEHOLDER.test(pattern)) t = epochTemplate(false, pattern, key.includes('LEPOCH'));
    else if (key === 'EPOCH' || key === '{^LN-BEG}EPOCH' || key === '^EPOCH') t = epochTemplate(key !== 'EPOCH', null, false);
    else if (key === 'LEPOCH' || key === '{^LN-BEG}LEPOCH' || key === '^LEPOCH') t = epochTemplate(key !== 'LEPOCH', null, true);
  }
  if (t === undefined) {
    if (key === 'TAI64N' || key === '{^LN-BEG}TAI64N' || key === '^TAI64N') t = tai64nTemplate(key !== 'TAI64N');
    else t = patternTemplate(pattern, context);
  }
  cache.set(key, t);
  return t;
}

/** The same format wrapped by `wrap` (line-anchored twin, or embedded in a {DATE} regex). */
function wrapped(t: TemplateDef, wrap: (s: string) => string, context: string): TemplateDef {
  const name = wrap(t.name);
  const byName = cache.get(name);
  if (byName !== undefined) return byName;
  // Built-ins without a pattern are rebuilt from their (wrapped) name, e.g. "{^LN-BEG}Epoch".
  if (t.pattern === null) return templateFor(name, context);
  const pattern = wrap(t.pattern);
  return cache.get(pattern) ?? templateFor(pattern, context);
}

let defaults17: TemplateDef[] | undefined;
let defaults31: TemplateDef[] | undefined;

function defaultFormats(): TemplateDef[] {
  defaults17 ??= DEFAULT_PATTERNS.map((p) => templateFor(p, 'default date template'));
  return defaults17;
}

/** The full default set: anchored twins (weight 100) first, then the 17 formats. */
function defaultSet(): TemplateDef[] {
  if (defaults31 === undefined) {
    const twins: TemplateDef[] = [];
    for (const t of defaultFormats()) {
      if (t.name.startsWith('{^LN-BEG}') || t.name.startsWith('^')) continue;
      const twin = wrapped(t, (s) => '{^LN-BEG}' + s, 'default date template');
      if (twin.name !== t.name) {
        twin.weight = 100;
        twins.push(twin);
      }
    }
    defaults31 = [...twins, ...defaultFormats()];
  }
  return defaults31;
}

export interface TemplateList {
  readonly templates: readonly TemplateDef[];
  /** The pattern was {NONE}: lines carry no date. */
  readonly none: boolean;
}

/**
 * Templates for a `datepattern` value (one pattern per line; undefined or blank = defaults).
 * Throws DATE_PATTERN for malformed patterns and for two lines giving the same template.
 */
export function templatesFor(datepattern: string | undefined, context: string): TemplateList {
  const lines = (datepattern ?? '').split(/\n+/).map(pyStrip).filter((l) => l !== '');
  const list: TemplateDef[] = [];
  const names = new Set<string>();
  const add = (t: TemplateDef, ignoreDuplicate: boolean): void => {
    if (names.has(t.name)) {
      if (ignoreDuplicate) return;
      throw new LogjailError('DATE_PATTERN', `${context}: two lines give the same date template "${t.name}"`);
    }
    names.add(t.name);
    list.push(t);
  };
  const addDefaults = (filter: ((t: TemplateDef) => boolean) | null, preMatch: string | null): void => {
    const ignoreDuplicate = list.length > 0;
    for (const d of preMatch === null ? defaultSet() : defaultFormats()) {
      if (filter !== null && !filter(d)) continue;
      const t = preMatch === null ? d
        : wrapped(d, (s) => preMatch.replace(DATE_PLACEHOLDER, () => unboundPattern(s)), context);
      add(t, ignoreDuplicate);
    }
  };
  for (const line of lines) {
    const key = keyOf(line);
    let t = cache.get(key);
    if (t === undefined) {
      if (key === '{^LN-BEG}' || key === '{DEFAULT}') {
        addDefaults(key === '{^LN-BEG}' ? (d) => (d.flags & LINE_BEGIN) !== 0 : null, null);
        continue;
      }
      if (key.includes('{DATE}')) {
        addDefaults(null, line);
        continue;
      }
      t = key === '{NONE}' ? templateFor('{UNB}^', context, key) : templateFor(line, context, key);
      cache.set(key, t);
    }
    add(t, false);
  }
  if (list.length === 0) addDefaults(null, null);
  return { templates: list, none: lines.length > 0 && lines.every((l) => keyOf(l) === '{NONE}') };
}

/** For tests and `--VD`: the default templates in their initial order. */
export function defaultTemplates(): readonly TemplateDef[] {
  return defaultSet();
}

export { TemplateKind };
