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
 * Unicode \d \w \s and case folding then agree with the ASCII rules used here, and code-point
 * positions with UTF-16 ones). Characters past the end read as NaN, which no test accepts.
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

const SPACE = 32;
const COLON = 58;
const DOT = 46;
const COMMA = 44;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** ASCII \w (letters either case, digits, '_'); NaN (past the end) is none. */
const isWord = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95;
/** ASCII characters of Python's \s (str.isspace): \t \n \v \f \r, \x1c-\x1f and the space. */
const isSpace = (c: number): boolean => (c >= 9 && c <= 13) || (c >= 0x1c && c <= SPACE);

/** The bits of every character a recognizer has read: at least 128 when one was not ASCII. */
let seen = 0;

/** Character code at i (NaN past the end), noted in `seen`. */
function at(s: string, i: number): number {
  const c = s.charCodeAt(i);
  seen |= c;
  return c;
}

/** fail2ban's word-end boundary (?=\b|\W|$) after a match that ends with a digit. */
const endsWord = (s: string, e: number): boolean => e >= s.length || !isWord(at(s, e));

/**
 * Three characters folded to lower case and packed, -1 when the line is too short: names match
 * case-insensitively (the templates have (?iu)). Only ASCII letters can then equal a name, as
 * c | 32 is a lower-case letter only for that letter in either case; non-ASCII look-alikes that
 * Python's Unicode folding would accept ('ſ' for 's', 'K' for 'k') make the result unsure.
 */
function word3(s: string, i: number): number {
  if (i + 3 > s.length) return -1;
  return ((at(s, i) | 32) << 16) | ((at(s, i + 1) | 32) << 8) | (at(s, i + 2) | 32);
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

/** The %ExY year at i whose first digit `a` is already read, or -1. */
function exYearAt(s: string, i: number, a: number, prefixes: Uint8Array): number {
  if (!isDigit(a)) return -1;
  const b = at(s, i + 1);
  if (!isDigit(b)) return -1;
  const c = at(s, i + 2);
  if (!isDigit(c)) return -1;
  const d = at(s, i + 3);
  if (!isDigit(d)) return -1;
  const prefix = (a - 48) * 100 + (b - 48) * 10 + (c - 48);
  return prefixes[prefix] === 1 ? prefix * 10 + (d - 48) : -1;
}

/**
 * Start of the date after the {^LN-BEG} prefix ^(?:\W{0,2})?: the prefix takes up to two
 * non-word characters greedily. Giving some back never helps: the dates start with a word
 * character, which a given-back non-word character is not.
 */
function afterPrefix(s: string): number {
  if (s.length === 0 || isWord(at(s, 0))) return 0;
  return s.length === 1 || isWord(at(s, 1)) ? 1 : 2;
}

/*
 * The parts both templates share, written out in each recognizer (every character is read once,
 * which is most of the cost):
 *
 * %d = ([1-2]\d|[0 ]?[1-9]|3[0-1]), followed by a space, 'T' or a space. The alternatives that
 * take two characters all end at the same place and need a digit second; the one-digit
 * alternative needs the separator second. So the first applicable two-character alternative is
 * the only one that can succeed when the second character is a digit, else the one-digit one.
 *
 * Hours and %M = ([0-5]?\d) are followed by ':'. Taking the optional digit needs a digit second,
 * leaving it needs ':' second: at most one way reaches the colon.
 *
 * %S = ([0-5]?\d|6[0-1]) is followed by nothing that can start with a digit (a fraction needs
 * '.', a year or zone a space or sign, the word end a non-word character), so the one-digit
 * reading can only succeed when no digit follows: the two-digit reading is the one.
 *
 * A fraction [0-9]{1,6} is taken greedily; fewer digits never help, for the same reason. When
 * what follows the fraction fails, the match ends before the '.' (or ','), which ends the word.
 */

// ---- (?iu)^(?:\W{0,2})?((?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)(?=\b|\W|$) ----

function recognizeSyslog(s: string, ascii: boolean, out: FastDate): number {
  seen = 0;
  const r = syslogShort(s, out);
  return ascii || seen < 128 ? r : UNSURE;
}

/** The syslog recognizer without its ASCII check (seen is reset). */
function syslogShort(s: string, out: FastDate): number {
  // The usual shape "Mmm dd hh:mm:ss" right at the line start, read at fixed places (the reads
  // do not wait for one another). Each check below is what the general walk would conclude on
  // these characters: two-digit day, hour, minute and second.
  if (s.length > 16) {
    const c3 = s.charCodeAt(3), c6 = s.charCodeAt(6), c9 = s.charCodeAt(9), c12 = s.charCodeAt(12);
    const d0 = s.charCodeAt(4), d1 = s.charCodeAt(5), h0 = s.charCodeAt(7), h1 = s.charCodeAt(8);
    const m0 = s.charCodeAt(10), m1 = s.charCodeAt(11), s0 = s.charCodeAt(13), s1 = s.charCodeAt(14);
    const a0 = s.charCodeAt(0), a1 = s.charCodeAt(1), a2 = s.charCodeAt(2);
    seen |= c3 | c6 | c9 | c12 | d0 | d1 | h0 | h1 | m0 | m1 | s0 | s1 | a0 | a1 | a2;
    if (c3 === SPACE && c6 === SPACE && c9 === COLON && c12 === COLON
      && h0 >= 48 && h0 <= 50 && isDigit(h1) && m0 >= 48 && m0 <= 53 && isDigit(m1) && s0 >= 48 && s0 <= 53
      && isDigit(s1) && isDigit(d1) && (d0 === 49 || d0 === 50 || ((d0 === 48 || d0 === SPACE) && d1 !== 48)
        || (d0 === 51 && d1 <= 49))) {
      const month = monthOfWord(((a0 | 32) << 16) | ((a1 | 32) << 8) | (a2 | 32));
      if (month !== 0) {
        const end = syslogTail(s, 15, at(s, 15), out);
        if (end < 0) return NONE;
        out.start = 0;
        out.end = end;
        out.month = month;
        out.day = d0 === SPACE ? d1 - 48 : (d0 - 48) * 10 + (d1 - 48);
        out.hour = (h0 - 48) * 10 + (h1 - 48);
        out.minute = (m0 - 48) * 10 + (m1 - 48);
        out.second = (s0 - 48) * 10 + (s1 - 48);
        out.zone = null;
        return MATCH;
      }
    }
  }
  return syslogLong(s, out);
}

/** What dayAt and minuteSecondAt read: the values, the index after them, the character there. */
const got = { value: 0, next: 0, c: 0 };
const clock = { minute: 0, second: 0, next: 0, c: 0 };

/** %d at i (" 1".."31" or one digit 1..9) as the regex takes it; false when it does not match. */
function dayAt(s: string, i: number): boolean {
  const d0 = at(s, i), d1 = at(s, i + 1);
  if (isDigit(d1) && (d0 === 49 || d0 === 50 || ((d0 === 48 || d0 === SPACE) && d1 !== 48) || (d0 === 51 && d1 <= 49))) {
    got.value = d0 === SPACE ? d1 - 48 : (d0 - 48) * 10 + (d1 - 48);
    got.next = i + 2;
    got.c = at(s, i + 2);
    return true;
  }
  if (d0 >= 49 && d0 <= 57) {
    got.value = d0 - 48;
    got.next = i + 1;
    got.c = d1;
    return true;
  }
  return false;
}

/**
 * `%M:%S` at i (after the hour and its colon) as the regex takes them: minute ([0-5]?\d) and its
 * colon, second (([0-5]?\d|6[01])); false when they do not match.
 */
function minuteSecondAt(s: string, i: number): boolean {
  const m0 = at(s, i), m1 = at(s, i + 1);
  if (m0 >= 48 && m0 <= 53 && isDigit(m1)) {
    if (at(s, i + 2) !== COLON) return false;
    clock.minute = (m0 - 48) * 10 + (m1 - 48);
    i += 3;
  } else if (isDigit(m0) && m1 === COLON) {
    clock.minute = m0 - 48;
    i += 2;
  } else {
    return false;
  }
  const s0 = at(s, i), s1 = at(s, i + 1);
  if (!isDigit(s0)) return false;
  if (isDigit(s1) && (s0 <= 53 || (s0 === 54 && s1 <= 49))) {
    clock.second = (s0 - 48) * 10 + (s1 - 48);
    clock.next = i + 2;
    clock.c = at(s, i + 2);
  } else {
    clock.second = s0 - 48;
    clock.next = i + 1;
    clock.c = s1;
  }
  return true;
}

/** The syslog recognizer for any shape: the regex's steps one by one. */
function syslogLong(s: string, out: FastDate): number {
  const p = afterPrefix(s);
  let q = p;
  let w = word3(s, q);
  let c = at(s, q + 3);
  // A weekday is never a month name, so once "DAY " is there the month must follow it.
  if (c === SPACE && isWeekdayWord(w)) {
    q += 4;
    w = word3(s, q);
    c = at(s, q + 3);
  }
  const month = monthOfWord(w);
  if (month === 0 || c !== SPACE) return NONE;
  // %d, then a space
  let i = q + 4;
  if (!dayAt(s, i)) return NONE;
  const day = got.value;
  i = got.next;
  if (got.c !== SPACE) return NONE;
  // %k = " ?([0-2]?\d)": the optional space is taken when there (an hour cannot start with one)
  let h0 = at(s, ++i);
  if (h0 === SPACE) h0 = at(s, ++i);
  const h1 = at(s, i + 1);
  let hour: number;
  if (h0 >= 48 && h0 <= 50 && isDigit(h1)) {
    if (at(s, i + 2) !== COLON) return NONE;
    hour = (h0 - 48) * 10 + (h1 - 48);
    i += 3;
  } else if (isDigit(h0) && h1 === COLON) {
    hour = h0 - 48;
    i += 2;
  } else {
    return NONE;
  }
  if (!minuteSecondAt(s, i)) return NONE;
  const minute = clock.minute, second = clock.second;
  const end = syslogTail(s, clock.next, clock.c, out);
  if (end < 0) return NONE;
  out.start = p;
  out.end = end;
  out.month = month;
  out.day = day;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  out.zone = null;
  return MATCH;
}

/**
 * `(?:\.(?P<f>[0-9]{1,6}))?(?: (?P<Y>%ExY))?` and the word end after the seconds, which end at i
 * (c: the character there). Returns the end of the match or -1; sets out.year (NaN: none).
 */
function syslogTail(s: string, i: number, c: number, out: FastDate): number {
  out.year = NaN;
  let x = i;
  if (c === DOT) {
    const f0 = at(s, i + 1);
    if (isDigit(f0)) {
      x = i + 2;
      const max = i + 7;
      while (x < max && isDigit(c = at(s, x))) x++;
      if (x === max) c = at(s, x);
    }
    // else no fraction: the '.' ends the word below
  }
  if (c === SPACE) {
    const y0 = at(s, x + 1);
    if (isDigit(y0)) {
      const y = exYearAt(s, x + 1, y0, yearPrefixTable());
      if (y >= 0 && endsWord(s, x + 5)) {
        out.year = y;
        return x + 5;
      }
    }
    return x; // the space ends the word
  }
  if (!isWord(c)) return x;
  // A word character: right after the seconds nothing matches; after a fraction the match ends
  // before the '.' instead.
  return x === i ? -1 : i;
}

// ---- ^(?:\W{0,2})?(%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?)(?=\b|\W|$)
//      and its variant with [T ] between date and time ----

/**
 * `\s*(?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?)` then the word end, at i (whose character c is
 * read): the end of the zone with its minutes in `out.zone`, or -1 when no zone is matched
 * there. The spaces are taken greedily: giving them back never helps, no zone starts with one.
 */
function isoZone(s: string, i: number, c: number, out: FastDate): number {
  let z = i;
  while (isSpace(c)) c = at(s, ++z);
  if (c === 90 /* Z */) {
    if (!endsWord(s, z + 1)) return -1;
    out.zone = 0;
    return z + 1;
  }
  if (c === 85 /* U */ || c === 71 /* G */) {
    const ok = c === 85 ? at(s, z + 1) === 84 && at(s, z + 2) === 67 : at(s, z + 1) === 77 && at(s, z + 2) === 84;
    if (!ok || !endsWord(s, z + 3)) return -1;
    out.zone = 0;
    return z + 3;
  }
  if (c !== 43 && c !== 45) return -1;
  const h0 = at(s, z + 1), h1 = at(s, z + 2);
  if ((h0 !== 48 && h0 !== 49) || !isDigit(h1)) return -1;
  const hours = (h0 - 48) * 10 + (h1 - 48);
  const sign = c === 45 ? -1 : 1;
  const a = z + 3;
  const c3 = at(s, a);
  if (c3 === COLON) {
    // (?::?\d{2})? with the colon; failing that, the hours alone end before the ':' (a word end)
    const m0 = at(s, a + 1), m1 = at(s, a + 2);
    if (isDigit(m0) && isDigit(m1) && endsWord(s, a + 3)) {
      out.zone = sign * (hours * 60 + (m0 - 48) * 10 + (m1 - 48));
      return a + 3;
    }
    out.zone = sign * hours * 60;
    return a;
  }
  if (isDigit(c3)) {
    // minutes without a colon, or nothing: the hours alone would end before a digit
    const m1 = at(s, a + 1);
    if (!isDigit(m1) || !endsWord(s, a + 2)) return -1;
    out.zone = sign * (hours * 60 + (c3 - 48) * 10 + (m1 - 48));
    return a + 2;
  }
  if (isWord(c3)) return -1;
  out.zone = sign * hours * 60;
  return a;
}

function recognizeIso(s: string, ascii: boolean, out: FastDate, tOrOneSpace: boolean): number {
  seen = 0;
  const r = isoShort(s, out, tOrOneSpace);
  return ascii || seen < 128 ? r : UNSURE;
}

/** The ISO recognizer without its ASCII check (seen is reset). */
function isoShort(s: string, out: FastDate, tOrOneSpace: boolean): number {
  // The usual shape "yyyy-mm-ddThh:mm:ss" (any separator, 'T' or one space) right at the line
  // start, read at fixed places; each check is what the general walk would conclude on these
  // characters: two-digit month, day, hour, minute and second.
  if (s.length > 19) {
    const sep = s.charCodeAt(4), c7 = s.charCodeAt(7), c10 = s.charCodeAt(10), c13 = s.charCodeAt(13);
    const c16 = s.charCodeAt(16), m0 = s.charCodeAt(5), m1 = s.charCodeAt(6), d0 = s.charCodeAt(8);
    const d1 = s.charCodeAt(9), h0 = s.charCodeAt(11), h1 = s.charCodeAt(12), n0 = s.charCodeAt(14);
    const n1 = s.charCodeAt(15), s0 = s.charCodeAt(17), s1 = s.charCodeAt(18);
    seen |= sep | c7 | c10 | c13 | c16 | m0 | m1 | d0 | d1 | h0 | h1 | n0 | n1 | s0 | s1;
    if ((sep === 45 || sep === 46 || sep === 47) && c7 === sep && (c10 === 84 || c10 === SPACE) && c13 === COLON
      && c16 === COLON && ((m0 === 48 && m1 >= 49 && m1 <= 57) || (m0 === 49 && m1 >= 48 && m1 <= 50))
      && isDigit(d1) && (d0 === 49 || d0 === 50 || ((d0 === 48 || d0 === SPACE) && d1 !== 48) || (d0 === 51 && d1 <= 49))
      && (((h0 === 48 || h0 === 49) && isDigit(h1)) || (h0 === 50 && h1 >= 48 && h1 <= 51))
      && n0 >= 48 && n0 <= 53 && isDigit(n1) && s0 >= 48 && s0 <= 53 && isDigit(s1)) {
      const year = exYearAt(s, 0, at(s, 0), yearPrefixTable());
      if (year >= 0) {
        const end = isoTail(s, 19, at(s, 19), out);
        if (end < 0) return NONE;
        out.start = 0;
        out.end = end;
        out.year = year;
        out.month = (m0 - 48) * 10 + (m1 - 48);
        out.day = d0 === SPACE ? d1 - 48 : (d0 - 48) * 10 + (d1 - 48);
        out.hour = (h0 - 48) * 10 + (h1 - 48);
        out.minute = (n0 - 48) * 10 + (n1 - 48);
        out.second = (s0 - 48) * 10 + (s1 - 48);
        return MATCH;
      }
    }
  }
  return isoLong(s, out, tOrOneSpace);
}

/** The ISO recognizer for any shape: the regex's steps one by one. */
function isoLong(s: string, out: FastDate, tOrOneSpace: boolean): number {
  const p = afterPrefix(s);
  const year = exYearAt(s, p, at(s, p), yearPrefixTable());
  if (year < 0) return NONE;
  const sep = at(s, p + 4);
  if (sep !== 45 && sep !== 46 && sep !== 47) return NONE;
  // %m = (0?[1-9]|1[0-2]) then the same separator again: the readings of one and of two
  // characters need a separator resp. a digit second, so at most one gets past the separator.
  let i = p + 5;
  const m0 = at(s, i), m1 = at(s, i + 1);
  let month: number;
  if (m0 === 48) {
    if (!(m1 >= 49 && m1 <= 57) || at(s, i + 2) !== sep) return NONE;
    month = m1 - 48;
    i += 3;
  } else if (m0 >= 49 && m0 <= 57 && m1 === sep) {
    month = m0 - 48;
    i += 2;
  } else if (m0 === 49 && m1 >= 48 && m1 <= 50 && at(s, i + 2) === sep) {
    month = 10 + (m1 - 48);
    i += 3;
  } else {
    return NONE;
  }
  // %d, then (?:T|  ?) (or [T ]): taken greedily, as an hour needs a digit
  if (!dayAt(s, i)) return NONE;
  const day = got.value;
  i = got.next;
  const c = got.c;
  let h0: number;
  if (c === 84 /* T */) {
    h0 = at(s, ++i);
  } else if (c === SPACE) {
    h0 = at(s, ++i);
    if (h0 === SPACE && !tOrOneSpace) h0 = at(s, ++i);
  } else {
    return NONE;
  }
  // %H = ([0-1]?\d|2[0-3]) then ':'
  const h1 = at(s, i + 1);
  let hour: number;
  if ((h0 === 48 || h0 === 49) && isDigit(h1)) {
    if (at(s, i + 2) !== COLON) return NONE;
    hour = (h0 - 48) * 10 + (h1 - 48);
    i += 3;
  } else if (isDigit(h0) && h1 === COLON) {
    hour = h0 - 48;
    i += 2;
  } else if (h0 === 50 && h1 >= 48 && h1 <= 51 && at(s, i + 2) === COLON) {
    hour = 20 + (h1 - 48);
    i += 3;
  } else {
    return NONE;
  }
  if (!minuteSecondAt(s, i)) return NONE;
  const minute = clock.minute, second = clock.second;
  const end = isoTail(s, clock.next, clock.c, out);
  if (end < 0) return NONE;
  out.start = p;
  out.end = end;
  out.year = year;
  out.month = month;
  out.day = day;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  return MATCH;
}

/**
 * `(?:[.,](?P<f>[0-9]{1,6}))?(?:\s*(?P<z>...))?` and the word end after the seconds, which end at
 * i (c: the character there). Returns the end of the match or -1; sets out.zone.
 */
function isoTail(s: string, i: number, c: number, out: FastDate): number {
  out.zone = null;
  if (c === DOT || c === COMMA) {
    if (isDigit(at(s, i + 1))) {
      let x = i + 2;
      const max = i + 7;
      while (x < max && isDigit(c = at(s, x))) x++;
      if (x === max) c = at(s, x);
      const end = isoZone(s, x, c, out);
      if (end !== -1) return end;
      if (!isWord(c)) return x;
    }
    // without the fraction: no zone starts with '.' or ',', which end the word
    return i;
  }
  const end = isoZone(s, i, c, out);
  if (end !== -1) return end;
  return isWord(c) ? -1 : i;
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
