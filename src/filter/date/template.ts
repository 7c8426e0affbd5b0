/**
 * Date templates: how fail2ban turns one `datepattern` line (or a built-in format) into a search
 * regex with its boundaries, its cut group, its flags and its display name. This module works on
 * Python regex *text*, exactly as fail2ban edits it; compilation to JS happens in compile.ts.
 */
import { expandDirectives } from './directives.js';
import { firstCharKind } from './firstChar.js';

/** Template flags (fail2ban's values, shown by `--VD`). */
export const LINE_BEGIN = 8;
export const LINE_END = 4;
export const WORD_BEGIN = 2;
export const WORD_END = 1;

export const enum TemplateKind { Pattern, Epoch, Tai64n }

export interface TemplateDef {
  readonly kind: TemplateKind;
  /** Name as fail2ban-regex prints it. */
  readonly name: string;
  /** The pattern the template was made from; null for the built-in Epoch / TAI64N. */
  readonly pattern: string | null;
  /** The Python regex fail2ban searches with (shown by `--VD`). */
  readonly regex: string;
  /**
   * Python regex we compile: same matches as `regex`, minus constructs that cannot affect them
   * (the built-in Epoch regexes carry conditionals that are always satisfied).
   */
  readonly source: string;
  /** LINE_BEGIN | LINE_END | WORD_BEGIN | WORD_END. */
  readonly flags: number;
  /** Group 1 ends where the match ends (nothing but lookaheads follow it). */
  readonly groupEndsMatch: boolean;
  /** LongEpoch: 13-digit milliseconds / 16-digit microseconds are scaled to seconds. */
  readonly longEpoch: boolean;
  /** Python group holding the epoch / TAI64N value. */
  readonly valueGroup: number;
  /** Sort weight: 100 for the line-anchored twins of the defaults, else 1. */
  weight: number;
}

// ---- fail2ban's textual regex edits, re-expressed for JS (they run on pattern text) ----

/** An opening parenthesis of a capturing group, by fail2ban's heuristic. */
const CAPTURING_GROUP = /(?<!\(\?)(?<!\\)\((?!\?)/;
/** Splits a group-less pattern into leading flags/anchor, body and trailing '$'. */
const WRAP_PARTS = /^((?:\(\?\w+\))?\^?(?:\(\?\w+\))?)([^\n]*?)(\$?)$/;
/** First inline flag group such as "(?iu)"; fail2ban moves it to the front. */
const GLOBAL_FLAGS = /\(\?[a-z]+\)/;
const NO_WORD_BOUND_BEGIN = /^\(*(?:\(\?\w+\))?(?:\^|\(*\*\*|\((?:\?:)?\^)/;
const NO_WORD_BOUND_END = /(?<!\\)(?:\$\)?|\\b|\\s|\*\*\)*)$/;
const WORD_BOUND_MARKS = /^\(*(?:\(\?\w+\))?\(*\*\*|(?<!\\)\*\*\)*$/g;
const LINE_BOUND_BEGIN = /^(?:\(\?\w+\))?(?:\^|\((?:\?:)?\^(?!\|))/;
const LINE_BOUND_END = /(?<![\\|])(?:\$\)?)$/;
const UNBOUNDED_PREFIX = /^\{UNB\}/;
const LINE_BEGIN_PREFIX = /^\{\^LN-BEG\}/;
const WORD_BEGIN_BOUND_TEXT = /^\((?:\?:)?\^\|\\b\|\\W\)/;
const WORD_END_BOUND_TEXT = /\(\?=\\b\|\\W\|\$\)$/;
/** {EPOCH} / {LEPOCH} inside a pattern (global: for replace only). */
export const EPOCH_PLACEHOLDER = /(?<!\\)\{L?EPOCH\}/gi;
/** {DATE} inside a pattern (global: for replace only). */
export const DATE_PLACEHOLDER = /(?<!\\)\{DATE\}/gi;
export const HAS_EPOCH_PLACEHOLDER = /(?<!\\)\{L?EPOCH\}/i;

const BEGIN_WORD = '(?=^|\\b|\\W)';
const BEGIN_LINE = '^(?:\\W{0,2})?';
const END_WORD = '(?=\\b|\\W|$)';

/** Python str.strip(): its white space differs from JS trim() (\x1c-\x1f and \x85 yes, \ufeff no). */
const PY_SPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** Remove fail2ban's own boundary wrappers from a template (used when embedding it in {DATE}). */
export function unboundPattern(p: string): string {
  return p.replace(UNBOUNDED_PREFIX, '').replace(LINE_BEGIN_PREFIX, '')
    .replace(WORD_BEGIN_BOUND_TEXT, '').replace(WORD_END_BOUND_TEXT, '');
}

/** wordBegin: false, true, or 'start' (anchored at line start with up to 2 non-word chars). */
type Begin = boolean | 'start';

interface Bounded {
  name: string;
  regex: string;
  /** `regex` with the word-start boundary in a faster equivalent form, when one is known. */
  source: string;
  flags: number;
  groupEndsMatch: boolean;
}

/** Add boundaries, the cut group and flags to a regex (fail2ban's DateTemplate.setRegex). */
function bound(regexIn: string, name: string, wordBegin: Begin, wordEnd: boolean): Bounded {
  let regex = pyStrip(regexIn);
  const gf = GLOBAL_FLAGS.exec(regex);
  if (gf !== null) regex = regex.slice(0, gf.index) + regex.slice(gf.index + gf[0].length);
  const boundBegin = wordBegin !== false && !NO_WORD_BOUND_BEGIN.test(regex);
  const boundEnd = wordEnd && !NO_WORD_BOUND_END.test(regex);
  let groupEndsMatch = false;
  if (!CAPTURING_GROUP.test(regex)) {
    // No group: the whole pattern (inside anchors/flags) becomes group 1, followed only by '$'.
    regex = regex.replace(WRAP_PARTS, (_m, pre: string, body: string, end: string) => `${pre}(${body})${end}`);
    groupEndsMatch = true;
  }
  let flags = 0;
  let fastBegin = '';
  if (boundBegin) {
    if (wordBegin === 'start') {
      flags |= LINE_BEGIN;
      fastBegin = BEGIN_LINE;
      regex = BEGIN_LINE + regex;
      if (!name.startsWith('{^LN-BEG}')) name = '{^LN-BEG}' + name;
    } else {
      flags |= WORD_BEGIN;
      // The boundary is tested at every position of a search; V8 runs `(?<!\w)` much faster.
      const first = gf !== null && gf[0].includes('x') ? null : firstCharKind(regex);
      fastBegin = first === 'word' ? '(?<!\\w)' : first === 'nonword' ? '' : BEGIN_WORD;
      regex = BEGIN_WORD + regex;
    }
  }
  if (boundEnd) {
    flags |= WORD_END;
    regex += END_WORD;
  }
  if (!(flags & LINE_BEGIN) && LINE_BOUND_BEGIN.test(regex)) flags |= LINE_BEGIN;
  if (!(flags & LINE_END) && LINE_BOUND_END.test(regex)) flags |= LINE_END;
  const unmark = (r: string): string => r.replace(WORD_BOUND_MARKS, (m) => m.replaceAll('**', ''));
  regex = unmark(regex);
  let source = boundBegin ? fastBegin + regex.slice(wordBegin === 'start' ? BEGIN_LINE.length : BEGIN_WORD.length) : regex;
  if (gf !== null) {
    regex = gf[0] + regex;
    source = gf[0] + source;
  }
  return { name, regex, source, flags, groupEndsMatch };
}

function def(kind: TemplateKind, pattern: string | null, b: Bounded, source: string,
  longEpoch = false, valueGroup = 1): TemplateDef {
  return {
    kind, name: b.name, pattern, regex: b.regex, source, flags: b.flags,
    groupEndsMatch: b.groupEndsMatch, longEpoch, valueGroup, weight: 1,
  };
}

/** A template from a pattern with %-directives (fail2ban's DatePatternRegex). */
export function patternTemplate(pattern: string, context: string): TemplateDef {
  let p = pattern;
  let wordBegin: Begin = true;
  let wordEnd = true;
  if (UNBOUNDED_PREFIX.test(p)) {
    p = p.replace(UNBOUNDED_PREFIX, '');
    wordBegin = wordEnd = false;
  }
  if (wordBegin && LINE_BEGIN_PREFIX.test(p)) {
    p = p.replace(LINE_BEGIN_PREFIX, '');
    wordBegin = 'start';
  }
  const x = expandDirectives(p, context);
  const b = bound(x.regex, x.name, wordBegin, wordEnd);
  // Flags such as "(?iu)" are moved to the front; compile.ts reads them from there.
  return def(TemplateKind.Pattern, pattern, b, b.source);
}

const EPOCH_DIGITS = '\\d{10,11}\\b(?:\\.\\d{3,6})?';
const LONG_EPOCH_DIGITS = '\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?';
// The conditionals of the built-in Epoch regexes never reject a match: the optional empty group
// `square` can always be left unset, and `(?(selinux)A)|(?(square)B)` falls through to an empty
// branch. They are kept in the displayed regex and left out of the compiled one.
const SQUARE_COND = '(?(square)(?=\\]))';
const BOTH_COND = '(?:(?(selinux)(?=:\\d+\\)))|(?(square)(?=\\])))';

/** A Unix-time template (fail2ban's DateEpoch): built-in, anchored, or a pattern with {EPOCH}. */
export function epochTemplate(lineBeginOnly: boolean, pattern: string | null, longEpoch: boolean): TemplateDef {
  const digits = longEpoch ? LONG_EPOCH_DIGITS : EPOCH_DIGITS;
  const name = pattern ?? (longEpoch ? 'LongEpoch' : 'Epoch');
  if (pattern !== null) {
    const regex = '(' + pattern.replace(EPOCH_PLACEHOLDER, () => `(${digits})`) + ')';
    const b = bound(regex, name, true, true);
    return def(TemplateKind.Epoch, null, { ...b, groupEndsMatch: true }, b.source, longEpoch, 2);
  }
  if (!lineBeginOnly) {
    const shown = `((?:^|(?P<square>(?<=^\\[))|(?P<selinux>(?<=\\baudit\\()))${digits})${BOTH_COND}`;
    const b = bound(shown, name, false, true);
    const source = b.regex.replace(BOTH_COND, '').replace('(?P<square>(?<=^\\[))', '(?<=^\\[)')
      .replace('(?P<selinux>(?<=\\baudit\\())', '(?<=\\baudit\\()');
    return def(TemplateKind.Epoch, null, { ...b, groupEndsMatch: true }, source, longEpoch);
  }
  const shown = `((?P<square>(?<=^\\[))?${digits})${SQUARE_COND}`;
  const b = bound(shown, name, 'start', true);
  const source = b.regex.replace(SQUARE_COND, '').replace('(?P<square>(?<=^\\[))?', '');
  return def(TemplateKind.Epoch, null, { ...b, groupEndsMatch: true }, source, longEpoch);
}

/** TAI64N label "@4000…" (24 hex digits), optionally anchored at line start. */
export function tai64nTemplate(lineStart: boolean): TemplateDef {
  const b = bound('@[0-9a-f]{24}', 'TAI64N', lineStart ? 'start' : false, true);
  return def(TemplateKind.Tai64n, null, b, b.source);
}
