/**
 * Fixed-offset time zones: `logtimezone` / `--timezone` values and the zone text found in a line
 * (`%z`, `%Z`, `%Exz`, `%ExZ`). fail2ban knows only fixed offsets here: an abbreviation stands for
 * one offset all year (CET is always +01:00, never switched to CEST).
 */
import { LogjailError } from '../../errors.js';
import { pyInt } from './digits.js';

/** Offset in hours east of UTC → the abbreviations fail2ban maps to it. */
const ABBREVIATIONS_BY_HOURS: ReadonlyArray<readonly [number, string]> = [
  [-12, 'Y'],
  [-11, 'X NUT SST'],
  [-10, 'W CKT HAST HST TAHT TKT'],
  [-9.5, 'MART MIT'],
  [-9, 'V AKST GAMT GIT HADT HNY'],
  [-8, 'U AKDT CIST HAY HNP PST PT'],
  [-7, 'T HAP HNR MST PDT'],
  [-6, 'S CST EAST GALT HAR HNC MDT'],
  [-5, 'R CDT COT EASST ECT EST ET HAC HNE PET'],
  [-4.5, 'HLV VET'],
  [-4, 'Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT'],
  [-3.5, 'HNT NST NT'],
  [-3, 'P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT'],
  [-2.5, 'HAT NDT'],
  [-2, 'O BRST FNT PMDT UYST WGST'],
  [-1, 'N AZOT CVT EGT'],
  [0, 'Z EGST GMT UTC WET WT'],
  [1, 'A CET DFT WAT WEDT WEST'],
  [2, 'B CAT CEDT CEST EET SAST WAST'],
  [3, 'C EAT EEDT EEST IDT MSK'],
  [3.5, 'IRST'],
  [4, 'D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT'],
  [4.5, 'AFT IRDT'],
  [5, 'E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT'],
  [5.5, 'SLT'],
  [5.75, 'NPT'],
  [6, 'F ALMT BIOT BTT IOT KGT NOVT OMST YEKST'],
  [6.5, 'CCT MMT'],
  [7, 'G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB'],
  [8, 'H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST'],
  [9, 'I AWDT IRKST JST KST PWT TLT WDT WIT YAKT'],
  [9.5, 'ACST'],
  [10, 'K AEST ChST PGT VLAT YAKST YAPT'],
  [10.5, 'ACDT LHST'],
  [11, 'L AEDT LHDT MAGT NCT PONT SBT VLAST VUT'],
  [11.5, 'NFT'],
  [12, 'M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT'],
  [13, 'FJST NZDT'],
];

/** Zone abbreviation → minutes east of UTC. */
export const ZONE_ABBREVIATIONS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [hours, names] of ABBREVIATIONS_BY_HOURS) {
    for (const n of names.split(' ')) m.set(n, Math.trunc(hours * 60));
  }
  return m;
})();

/**
 * "[ABBR][±hh[[:]mm]]" with ABBR = 1 or 3..5 upper-case ASCII letters (case matters: "utc" is not
 * a zone). Both parts are optional, so "" is UTC too.
 */
const FIXED_ZONE = /^([A-Z](?:[A-Z]{2,4})?)?([+-][01]\p{Nd}(?::?\p{Nd}{2})?)?\n?$/u;

/** Result of reading a zone text: minutes east of UTC, or why it failed. */
export const ZONE_SYNTAX = 'syntax';
export const ZONE_UNKNOWN = 'unknown';
export type ZoneReading = number | typeof ZONE_SYNTAX | typeof ZONE_UNKNOWN;

/**
 * Minutes east of UTC for a zone text. fail2ban distinguishes two failures and so do we: a text of
 * the wrong shape (its parser returns "no date", the line is still searched for failures) and a
 * well-formed but unknown abbreviation (its parser raises and the whole line is dropped).
 */
export function readZone(text: string): ZoneReading {
  const fast = readAsciiZone(text);
  if (fast !== undefined) return fast;
  const m = FIXED_ZONE.exec(text);
  if (m === null) return ZONE_SYNTAX;
  const abbr = m[1];
  let minutes = 0;
  if (abbr !== undefined) {
    const known = ZONE_ABBREVIATIONS.get(abbr);
    if (known === undefined) return ZONE_UNKNOWN;
    minutes = known;
  }
  const off = m[2];
  if (off === undefined) return minutes;
  // Digits may be any Unicode decimal digit (Python's \d); lengths count code points.
  const cps = Array.from(off);
  const sign = cps[0] === '-' ? -1 : 1;
  const hours = pyInt(cps[1]! + cps[2]!);
  if (cps.length <= 3) return minutes + sign * hours * 60;
  // "+hhmm" or "+hh:mm"; the minutes are taken as written (not range-checked), like fail2ban.
  const mm = cps[3] === ':' ? cps[4]! + cps[5]! : cps[3]! + cps[4]!;
  return minutes + sign * (hours * 60 + pyInt(mm));
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const digit = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : -1);

/**
 * readZone() for plain ASCII text without a trailing newline (the usual case), without a regex;
 * undefined sends anything else to the general path.
 */
function readAsciiZone(text: string): ZoneReading | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isUpper(text.charCodeAt(i))) i++;
  // The abbreviation takes all leading capitals (an offset cannot start with one): 1 or 3..5.
  if (i === 2 || i > 5) return ZONE_SYNTAX;
  let offset = 0;
  if (i < n) {
    const sign = text.charCodeAt(i);
    const h1 = text.charCodeAt(i + 1);
    const h2 = digit(text.charCodeAt(i + 2));
    if ((sign !== 43 && sign !== 45) || (h1 !== 48 && h1 !== 49) || h2 < 0) return undefined;
    const hours = (h1 - 48) * 10 + h2;
    let j = i + 3;
    if (j === n) {
      offset = hours * 60;
    } else {
      if (text.charCodeAt(j) === 58 /* : */) j++;
      const m1 = digit(text.charCodeAt(j));
      const m2 = digit(text.charCodeAt(j + 1));
      if (m1 < 0 || m2 < 0 || j + 2 !== n) return undefined;
      offset = hours * 60 + m1 * 10 + m2;
    }
    if (sign === 45) offset = -offset;
  }
  if (i === 0) return offset;
  const known = ZONE_ABBREVIATIONS.get(i === n ? text : text.slice(0, i));
  return known === undefined ? ZONE_UNKNOWN : known + offset;
}

/**
 * Parse a `logtimezone` / `--timezone` value into minutes east of UTC.
 * Accepts "UTC", "GMT-0100", "UTC+02:00", "+0530", "-05", "Z", and abbreviations such as "CET".
 */
export function parseTimeZone(value: string, context = 'logtimezone'): number {
  const r = readZone(value);
  if (r === ZONE_SYNTAX) {
    throw new LogjailError('DATE_TIMEZONE',
      `${context}: "${value}" is not of the form [ABBR][+-hh[:mm]] (e.g. UTC, UTC+0200, -05:00, CET)`);
  }
  if (r === ZONE_UNKNOWN) {
    throw new LogjailError('DATE_TIMEZONE', `${context}: unknown zone abbreviation in "${value}"`);
  }
  return r;
}
