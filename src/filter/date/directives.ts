/**
 * strptime-style directives of `datepattern` (fail2ban's extended set) → the Python regex that
 * stands for each, and the word fail2ban-regex shows in template names.
 *
 * Regexes are Python syntax (they are translated with the rest of the pattern); each captures
 * into a group named after the field it sets (%k sets H, %l sets I, %Ex* set their base field).
 */
import { LogjailError } from '../../errors.js';

const WEEKDAYS = '(?P<a>mon|tue|wed|thu|fri|sat|sun)';
const MONTHS = '(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const ZONE_ABBR = '[A-Z](?:[A-Z]{2,4})?';

/**
 * Years accepted by %ExY: the three-digit prefixes of last year, of three years ahead and of
 * every third year from 2000 on — i.e. "20[012]\d" until 2026. Derived from the real clock once,
 * as fail2ban does at start-up.
 */
export function yearPrefixRegex(currentYear: number): string {
  const prefixes = new Set<string>([String(currentYear - 1).slice(0, 3), String(currentYear + 3).slice(0, 3)]);
  for (let y = 2000; y <= currentYear; y += 3) prefixes.add(String(y).slice(0, 3));
  const sorted = [...prefixes].sort();
  // Same language as fail2ban's compressed form; "20[012]" when all share the first two digits.
  const head = sorted[0]!.slice(0, 2);
  if (sorted.every((p) => p.length === 3 && p.startsWith(head))) {
    return sorted.length === 1 ? sorted[0]! : `${head}[${sorted.map((p) => p[2]).join('')}]`;
  }
  return `(?:${sorted.join('|')})`;
}

interface Directive {
  readonly regex: string;
  readonly name: string;
}

function table(currentYear: number): ReadonlyMap<string, Directive> {
  const d = (regex: string, name: string): Directive => ({ regex, name });
  return new Map<string, Directive>([
    // Python's defaults (C locale) that fail2ban keeps.
    ['a', d(WEEKDAYS, 'DAY')],
    ['A', d('(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)', 'DAYNAME')],
    ['b', d(MONTHS, 'MON')],
    ['B', d('(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)', 'MONTH')],
    ['c', d('(?P<a>mon|tue|wed|thu|fri|sat|sun)\\s+(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\\s+'
      + '(?P<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])\\s+(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):'
      + '(?P<S>6[0-1]|[0-5]\\d|\\d)\\s+(?P<Y>\\d\\d\\d\\d)', '%c')],
    ['f', d('(?P<f>[0-9]{1,6})', 'Microseconds')],
    ['G', d('(?P<G>\\d\\d\\d\\d)', '%G')],
    ['I', d('(?P<I>1[0-2]|0[1-9]|[1-9])', '12hour')],
    ['j', d('(?P<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])', 'Yearday')],
    ['p', d('(?P<p>am|pm)', 'AMPM')],
    ['U', d('(?P<U>5[0-3]|[0-4]\\d|\\d)', 'Yearweek')],
    ['u', d('(?P<u>[1-7])', '%u')],
    ['V', d('(?P<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)', '%V')],
    ['W', d('(?P<W>5[0-3]|[0-4]\\d|\\d)', 'Yearweek')],
    ['w', d('(?P<w>[0-6])', 'Weekday')],
    ['X', d('(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):(?P<S>6[0-1]|[0-5]\\d|\\d)', '%X')],
    ['x', d('(?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])/(?P<y>\\d\\d)', '%x')],
    ['y', d('(?P<y>\\d\\d)', 'Year2')],
    ['%', d('%', '%')],
    // fail2ban's replacements and additions.
    ['d', d('(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])', 'Day')],
    ['m', d('(?P<m>0?[1-9]|1[0-2])', 'Month')],
    ['Y', d('(?P<Y>\\d{4})', 'Year')],
    ['H', d('(?P<H>[0-1]?\\d|2[0-3])', '24hour')],
    ['M', d('(?P<M>[0-5]?\\d)', 'Minute')],
    ['S', d('(?P<S>[0-5]?\\d|6[0-1])', 'Second')],
    ['k', d(' ?(?P<H>[0-2]?\\d)', '%k')],
    ['l', d(' ?(?P<I>1?\\d)', '%l')],
    ['Z', d('(?P<Z>Z|[A-Z]{3,5})', 'Zone name')],
    ['z', d('(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)', 'Zone offset')],
    ['ExZ', d(`(?P<Z>${ZONE_ABBR})`, 'ExZone name')],
    ['Exz', d(`(?P<z>(?:${ZONE_ABBR})?[+-][01]\\d(?::?\\d{2})?|${ZONE_ABBR})`, 'ExZone offset')],
    ['Exd', d('(?P<d>[1-2]\\d|0[1-9]|3[0-1])', 'ExDay')],
    ['Exm', d('(?P<m>0[1-9]|1[0-2])', 'ExMonth')],
    ['ExH', d('(?P<H>[0-1]\\d|2[0-3])', 'Ex24hour')],
    ['Exk', d(' ?(?P<H>[0-1]?\\d|2[0-3])', '%Exk')],
    ['Exl', d(' ?(?P<I>1[0-2]|\\d)', '%Exl')],
    ['ExM', d('(?P<M>[0-5]\\d)', 'ExMinute')],
    ['ExS', d('(?P<S>[0-5]\\d|6[0-1])', 'ExSecond')],
    ['ExY', d(`(?P<Y>${yearPrefixRegex(currentYear)}\\d)`, 'ExYear')],
    ['Exy', d('(?P<y>\\d{2})', 'ExYear2')],
  ]);
}

/** The year the directive table was built for (%ExY's accepted years depend on it). */
export const DIRECTIVE_YEAR = new Date().getFullYear();

const DIRECTIVES = table(DIRECTIVE_YEAR);

/** Directives that make fail2ban match the whole template case-insensitively. */
const ALPHA_DIRECTIVE = /(?<!%)%[aAbBpc]/;

export interface ExpandedPattern {
  /** Template name: directives replaced by their words ("Year-Month-Day 24hour:..."). */
  readonly name: string;
  /** Python regex: directives replaced by their regexes, "(?iu)" in front when names are matched. */
  readonly regex: string;
}

/**
 * Expand the directives of a date pattern (already stripped of {UNB} / {^LN-BEG}).
 * Throws DATE_PATTERN for a '%' that starts no known directive.
 */
export function expandDirectives(pattern: string, context: string): ExpandedPattern {
  let name = '';
  let regex = '';
  let last = 0;
  for (let i = pattern.indexOf('%'); i >= 0; i = pattern.indexOf('%', last)) {
    let key: string | undefined;
    const next = pattern[i + 1];
    if (next === 'E' && pattern[i + 2] === 'x' && pattern.length >= i + 4 && DIRECTIVES.has(pattern.slice(i + 1, i + 4))) {
      key = pattern.slice(i + 1, i + 4);
    } else if (next !== undefined && next !== 'E' && DIRECTIVES.has(next)) {
      key = next;
    }
    if (key === undefined) {
      throw new LogjailError('DATE_PATTERN',
        `${context}: "${pattern}" has "%${next ?? ''}" at position ${i + 1}, which is no date directive (write %% for a literal percent sign)`);
    }
    const dir = DIRECTIVES.get(key)!;
    const lit = pattern.slice(last, i);
    name += lit + dir.name;
    regex += lit + dir.regex;
    last = i + 1 + key.length;
  }
  name += pattern.slice(last);
  regex += pattern.slice(last);
  if (ALPHA_DIRECTIVE.test(pattern)) regex = '(?iu)' + regex;
  return { name, regex };
}
