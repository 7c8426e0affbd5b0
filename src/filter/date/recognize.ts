/**
 * Hand-written recognizers for the line-anchored date templates nearly every log uses: the
 * syslog form and the ISO 8601 form. They decide with charCodeAt what the compiled regex would
 * match at the start of a line (its span and its fields) and are several times faster than the
 * regex, which also builds a match array and group strings.
 *
 * Each recognizer follows its regex's backtracking order exactly: the comments below say why a
 * choice made on the characters at hand is the one the regex engine would end with. Whenever a
 * case is not covered ("unsure") the caller runs the regex instead, so only the common shapes
 * need to be understood here: every character a recognizer looks at must be ASCII (Python's
 * Unicode \d \w \s and case folding then agree with the ASCII rules used here), and it never looks
 * further than READ_LIMIT characters into the line.
 *
 * A recognizer is attached to a template only when the template's compiled source is exactly the
 * one it was written for (see recognizerFor), so a changed template can never be misread.
 */
import { DateFields } from './convert.js';
import { DIRECTIVE_YEAR, yearPrefixRegex } from './directives.js';
import { LINE_BEGIN, patternTemplate, TemplateKind, type TemplateDef } from './template.js';

export const NONE = 0;
export const MATCH = 1;
export const UNSURE = -1;

/** A date found by a recognizer: the fields, and the span of the date text (group 1). */
export class FastDate extends DateFields {
  /** Start of group 1 (the match itself starts at 0: recognizers exist for anchored templates only). */
  start = 0;
  /** End of group 1 and of the match. */
  end = 0;
}

/**
 * Looks for the template's date at the start of `line`: MATCH (and fills every field of `out`
 * the template has, plus start/end), NONE when the regex would not match either, UNSURE when the
 * regex has to decide. `ascii`: the caller knows the line is pure ASCII.
 */
export type Recognizer = (line: string, ascii: boolean, out: FastDate) => number;

/** Recognizers read no further into a line than this (ASCII is checked up to here). */
const READ_LIMIT = 64;

const SPACE = 32;
const COLON = 58;
const DOT = 46;
const COMMA = 44;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** ASCII \w (letters either case, digits, '_'); -1 (past the end) is none. */
const isWord = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
/** ASCII characters of Python's \s (str.isspace): \t \n \v \f \r, \x1c-\x1f and the space. */
const isSpace = (c: number): boolean => (c >= 9 && c <= 13) || (c >= 0x1c && c <= SPACE);

/** Character code at i, -1 past the end. */
const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : -1);

/** fail2ban's word-end boundary (?=\b|\W|$) after a match that ends with a digit. */
const endsWord = (s: string, e: number): boolean => e >= s.length || !isWord(s.charCodeAt(e));

/** Are the first READ_LIMIT characters (or all of a shorter line) ASCII? */
function asciiHead(s: string): boolean {
  const n = s.length < READ_LIMIT ? s.length : READ_LIMIT;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

/**
 * Start of the date after the {^LN-BEG} prefix ^(?:\W{0,2})?: the prefix takes up to two
 * non-word characters greedily. Giving some back never helps: the dates start with a word
 * character, which a given-back non-word character is not.
 */
function afterPrefix(s: string): number {
  if (s.length === 0 || isWord(s.charCodeAt(0))) return 0;
  return s.length === 1 || isWord(s.charCodeAt(1)) ? 1 : 2;
}

/** Three ASCII characters folded to lower case and packed (only ASCII letters can match a name). */
function word3(s: string, i: number): number {
  if (i + 3 > s.length) return -1;
  return ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
}

function monthOfWord(w: number): number {
  switch (w) {
    case 0x6a616e: return 1; case 0x666562: return 2; case 0x6d6172: return 3; case 0x617072: return 4;
    case 0x6d6179: return 5; case 0x6a756e: return 6; case 0x6a756c: return 7; case 0x617567: return 8;
    case 0x736570: return 9; case 0x6f6374: return 10; case 0x6e6f76: return 11; case 0x646563: return 12;
    default: return 0;
  }
}

function isWeekdayWord(w: number): boolean {
  switch (w) {
    case 0x6d6f6e: case 0x747565: case 0x776564: case 0x746875: case 0x667269: case 0x736174: case 0x73756e:
      return true;
    default:
      return false;
  }
}

/** %ExY accepts the three-digit prefixes of yearPrefixRegex: one flag per prefix 000..999. */
let yearPrefixes: Uint8Array | null = null;

function yearPrefixTable(): Uint8Array {
  if (yearPrefixes === null) {
    const re = new RegExp(`^(?:${yearPrefixRegex(DIRECTIVE_YEAR)})$`);
    yearPrefixes = new Uint8Array(1000);
    for (let p = 0; p < 1000; p++) yearPrefixes[p] = re.test(String(p).padStart(3, '0')) ? 1 : 0;
  }
  return yearPrefixes;
}

/** The %ExY year (four digits with an accepted prefix) at i, or -1. */
function exYearAt(s: string, i: number, prefixes: Uint8Array): number {
  const a = at(s, i), b = at(s, i + 1), c = at(s, i + 2), d = at(s, i + 3);
  if (!isDigit(a) || !isDigit(b) || !isDigit(c) || !isDigit(d)) return -1;
  const prefix = (a - 48) * 100 + (b - 48) * 10 + (c - 48);
  return prefixes[prefix] === 1 ? prefix * 10 + (d - 48) : -1;
}

/**
 * %d = ([1-2]\d|[0 ]?[1-9]|3[0-1]) at i, followed by what needs a non-digit next. The alternatives
 * that take two characters all end at i+2 and need a digit second; the one-digit alternative needs
 * a non-digit second. So the first applicable two-character alternative is the only one that can
 * succeed when the second character is a digit. Returns the end; the value is left in dayValue.
 */
let dayValue = 0;
function dayAt(s: string, i: number): number {
  const d0 = at(s, i), d1 = at(s, i + 1);
  if (isDigit(d1)) {
    if (d0 === 49 || d0 === 50) { dayValue = (d0 - 48) * 10 + (d1 - 48); return i + 2; }
    if ((d0 === 48 || d0 === SPACE) && d1 !== 48) { dayValue = d1 - 48; return i + 2; }
    if (d0 === 51 && d1 <= 49) { dayValue = 30 + (d1 - 48); return i + 2; }
  }
  // [1-9] alone; when the next character is a digit the separator that must follow fails anyway
  if (d0 >= 49 && d0 <= 57) { dayValue = d0 - 48; return i + 1; }
  return -1;
}

/**
 * %M = ([0-5]?\d) followed by ':' at i. Taking the optional digit needs a digit second, leaving
 * it needs ':' second: at most one way reaches the colon. Returns the position after the colon.
 */
let minuteValue = 0;
function minuteColonAt(s: string, i: number): number {
  const m0 = at(s, i), m1 = at(s, i + 1);
  if (m0 >= 48 && m0 <= 53 && isDigit(m1)) {
    if (at(s, i + 2) !== COLON) return -1;
    minuteValue = (m0 - 48) * 10 + (m1 - 48);
    return i + 3;
  }
  if (isDigit(m0) && m1 === COLON) { minuteValue = m0 - 48; return i + 2; }
  return -1;
}

/**
 * %S = ([0-5]?\d|6[0-1]) at i. What follows it in both templates cannot start with a digit (a
 * fraction needs '.', a year or zone a space or sign, the word end a non-word character), so the
 * one-digit reading can only succeed when no digit follows: the two-digit reading is the one.
 */
let secondValue = 0;
function secondAt(s: string, i: number): number {
  const s0 = at(s, i), s1 = at(s, i + 1);
  if (!isDigit(s0)) return -1;
  if (isDigit(s1) && (s0 <= 53 || (s0 === 54 && s1 <= 49))) {
    secondValue = (s0 - 48) * 10 + (s1 - 48);
    return i + 2;
  }
  secondValue = s0 - 48;
  return i + 1;
}

/**
 * A fraction [0-9]{1,6} whose first digit is at i: its greedy end. Fewer digits never help: a
 * digit would then follow, which nothing after a fraction accepts.
 */
function fractionEnd(s: string, i: number): number {
  let j = i + 1;
  const max = i + 6;
  while (j < max && isDigit(at(s, j))) j++;
  return j;
}

// ---- (?iu)^(?:\W{0,2})?((?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)(?=\b|\W|$) ----

/**
 * ` (?P<Y>%ExY)` then the word end at i, else the word end alone: the end of the match or -1.
 * Sets yearValue (NaN without a year).
 */
let yearValue = NaN;
function syslogYearEnd(s: string, i: number, prefixes: Uint8Array): number {
  yearValue = NaN;
  if (at(s, i) === SPACE) {
    const y = exYearAt(s, i + 1, prefixes);
    if (y >= 0 && endsWord(s, i + 5)) { yearValue = y; return i + 5; }
  }
  return endsWord(s, i) ? i : -1;
}

function recognizeSyslog(s: string, ascii: boolean, out: FastDate): number {
  if (!ascii && !asciiHead(s)) return UNSURE;
  const p = afterPrefix(s);
  let q = p;
  let w = word3(s, q);
  // A weekday is never a month name, so once "DAY " is there the month must follow it.
  if (isWeekdayWord(w) && at(s, q + 3) === SPACE) {
    q += 4;
    w = word3(s, q);
  }
  const month = monthOfWord(w);
  if (month === 0 || at(s, q + 3) !== SPACE) return NONE;
  const dayEnd = dayAt(s, q + 4);
  if (dayEnd < 0 || at(s, dayEnd) !== SPACE) return NONE;
  // %k = " ?([0-2]?\d)": the optional space before the hour is taken when there (an hour cannot
  // start with a space, so giving it back never helps)
  let u = dayEnd + 1;
  if (at(s, u) === SPACE) u++;
  // The hour, then ':'; as for minutes, at most one reading reaches the colon.
  const h0 = at(s, u), h1 = at(s, u + 1);
  let hour: number;
  let v: number;
  if (h0 >= 48 && h0 <= 50 && isDigit(h1)) {
    if (at(s, u + 2) !== COLON) return NONE;
    hour = (h0 - 48) * 10 + (h1 - 48);
    v = u + 3;
  } else if (isDigit(h0) && h1 === COLON) {
    hour = h0 - 48;
    v = u + 2;
  } else {
    return NONE;
  }
  const sAt = minuteColonAt(s, v);
  if (sAt < 0) return NONE;
  const x = secondAt(s, sAt);
  if (x < 0) return NONE;
  const prefixes = yearPrefixTable();
  let end: number;
  if (at(s, x) === DOT && isDigit(at(s, x + 1))) {
    end = syslogYearEnd(s, fractionEnd(s, x + 1), prefixes);
    // Without the fraction: no year can follow the '.', and the '.' ends the word.
    if (end < 0) { end = x; yearValue = NaN; }
  } else {
    end = syslogYearEnd(s, x, prefixes);
    if (end < 0) return NONE;
  }
  out.start = p;
  out.end = end;
  out.year = yearValue;
  out.month = month;
  out.day = dayValue;
  out.hour = hour;
  out.minute = minuteValue;
  out.second = secondValue;
  out.zone = null;
  return MATCH;
}

// ---- ^(?:\W{0,2})?(%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?)(?=\b|\W|$)
//      and its variant with [T ] between date and time ----

/**
 * `\s*(?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?)` then the word end at i, else the word end alone.
 * The spaces are taken greedily; giving them back never helps (no zone starts with a space).
 * Returns the end of the match, -1 (no match) or UNSURE (-2: too many spaces to look at); sets
 * zoneValue (null without a zone).
 */
const TOO_FAR = -2;
let zoneValue: number | null = null;
function isoZoneEnd(s: string, i: number): number {
  zoneValue = null;
  let z = i;
  while (isSpace(at(s, z))) if (++z >= READ_LIMIT - 8) return TOO_FAR;
  const c = at(s, z);
  let zoneEnd = -1;
  let minutes = 0;
  if (c === 90 /* Z */) {
    if (endsWord(s, z + 1)) zoneEnd = z + 1;
  } else if (c === 85 /* U */) {
    if (at(s, z + 1) === 84 && at(s, z + 2) === 67 && endsWord(s, z + 3)) zoneEnd = z + 3;
  } else if (c === 71 /* G */) {
    if (at(s, z + 1) === 77 && at(s, z + 2) === 84 && endsWord(s, z + 3)) zoneEnd = z + 3;
  } else if (c === 43 || c === 45) {
    const h0 = at(s, z + 1), h1 = at(s, z + 2);
    if ((h0 === 48 || h0 === 49) && isDigit(h1)) {
      const hours = (h0 - 48) * 10 + (h1 - 48);
      const a = z + 3;
      const c3 = at(s, a);
      if (c3 === COLON) {
        // (?::?\d{2})? with the colon; failing that, the hours alone end before the ':' (a word end)
        const m0 = at(s, a + 1), m1 = at(s, a + 2);
        if (isDigit(m0) && isDigit(m1) && endsWord(s, a + 3)) {
          zoneEnd = a + 3;
          minutes = hours * 60 + (m0 - 48) * 10 + (m1 - 48);
        } else {
          zoneEnd = a;
          minutes = hours * 60;
        }
      } else if (isDigit(c3)) {
        // minutes without a colon, or nothing: the hours alone would end before a digit
        const m1 = at(s, a + 1);
        if (isDigit(m1) && endsWord(s, a + 2)) {
          zoneEnd = a + 2;
          minutes = hours * 60 + (c3 - 48) * 10 + (m1 - 48);
        }
      } else if (endsWord(s, a)) {
        zoneEnd = a;
        minutes = hours * 60;
      }
      if (c === 45) minutes = -minutes;
    }
  }
  if (zoneEnd >= 0) {
    zoneValue = minutes;
    return zoneEnd;
  }
  return endsWord(s, i) ? i : -1;
}

function recognizeIso(s: string, ascii: boolean, out: FastDate, tOrOneSpace: boolean): number {
  if (!ascii && !asciiHead(s)) return UNSURE;
  const p = afterPrefix(s);
  const year = exYearAt(s, p, yearPrefixTable());
  if (year < 0) return NONE;
  const sep = at(s, p + 4);
  if (sep !== 45 && sep !== 46 && sep !== 47) return NONE;
  // %m = (0?[1-9]|1[0-2]) then the same separator again: the readings of one and of two
  // characters need a separator resp. a digit second, so at most one gets past the separator.
  const r = p + 5;
  const m0 = at(s, r), m1 = at(s, r + 1);
  let month: number;
  let dayStart: number;
  if (m0 === 48) {
    if (!(m1 >= 49 && m1 <= 57) || at(s, r + 2) !== sep) return NONE;
    month = m1 - 48;
    dayStart = r + 3;
  } else if (m0 >= 49 && m0 <= 57 && m1 === sep) {
    month = m0 - 48;
    dayStart = r + 2;
  } else if (m0 === 49 && m1 >= 48 && m1 <= 50 && at(s, r + 2) === sep) {
    month = 10 + (m1 - 48);
    dayStart = r + 3;
  } else {
    return NONE;
  }
  const dayEnd = dayAt(s, dayStart);
  if (dayEnd < 0) return NONE;
  // (?:T|  ?) — or [T ] — between date and time: taken greedily, as an hour needs a digit
  const c = at(s, dayEnd);
  let u: number;
  if (c === 84 /* T */) u = dayEnd + 1;
  else if (c === SPACE) u = !tOrOneSpace && at(s, dayEnd + 1) === SPACE ? dayEnd + 2 : dayEnd + 1;
  else return NONE;
  // %H = ([0-1]?\d|2[0-3]) then ':'
  const h0 = at(s, u), h1 = at(s, u + 1);
  let hour: number;
  let v: number;
  if ((h0 === 48 || h0 === 49) && isDigit(h1)) {
    if (at(s, u + 2) !== COLON) return NONE;
    hour = (h0 - 48) * 10 + (h1 - 48);
    v = u + 3;
  } else if (isDigit(h0) && h1 === COLON) {
    hour = h0 - 48;
    v = u + 2;
  } else if (h0 === 50 && h1 >= 48 && h1 <= 51 && at(s, u + 2) === COLON) {
    hour = 20 + (h1 - 48);
    v = u + 3;
  } else {
    return NONE;
  }
  const sAt = minuteColonAt(s, v);
  if (sAt < 0) return NONE;
  const x = secondAt(s, sAt);
  if (x < 0) return NONE;
  let end: number;
  const f = at(s, x);
  if ((f === DOT || f === COMMA) && isDigit(at(s, x + 1))) {
    end = isoZoneEnd(s, fractionEnd(s, x + 1));
    if (end === TOO_FAR) return UNSURE;
    // Without the fraction: no zone starts with '.' or ',', which end the word.
    if (end < 0) { end = x; zoneValue = null; }
  } else {
    end = isoZoneEnd(s, x);
    if (end === TOO_FAR) return UNSURE;
    if (end < 0) return NONE;
  }
  out.start = p;
  out.end = end;
  out.year = year;
  out.month = month;
  out.day = dayValue;
  out.hour = hour;
  out.minute = minuteValue;
  out.second = secondValue;
  out.zone = zoneValue;
  return MATCH;
}

const recognizeIsoT2 = (s: string, ascii: boolean, out: FastDate): number => recognizeIso(s, ascii, out, false);
const recognizeIsoT1 = (s: string, ascii: boolean, out: FastDate): number => recognizeIso(s, ascii, out, true);

/** The patterns the recognizers were written for, anchored at the line start as {^LN-BEG} does. */
const KNOWN: ReadonlyArray<readonly [string, Recognizer]> = [
  ['{^LN-BEG}(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?', recognizeSyslog],
  ['{^LN-BEG}%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?', recognizeIsoT2],
  ['{^LN-BEG}%ExY(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?', recognizeIsoT1],
];

let bySource: Map<string, Recognizer> | null = null;

/**
 * The recognizer for a template, or null. Chosen by the template's compiled source, so any
 * pattern that expands to the same regex (the default set, {^LN-BEG}, a datepattern written
 * out) gets it, and nothing else does.
 */
export function recognizerFor(def: TemplateDef): Recognizer | null {
  if (def.kind !== TemplateKind.Pattern || (def.flags & LINE_BEGIN) === 0 || !def.groupEndsMatch) return null;
  if (bySource === null) {
    bySource = new Map();
    for (const [pattern, r] of KNOWN) bySource.set(patternTemplate(pattern, 'built-in date recognizer').source, r);
  }
  return bySource.get(def.source) ?? null;
}
