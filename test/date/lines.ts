/**
 * Log lines for the date tests: every built-in format with its variants, lines for the custom
 * directives, the sample logs shipped with fail2ban, and hostile lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const two = (n: number): string => String(n).padStart(2, '0');

/** One or more examples of every default format, with typical surroundings. */
export function formatLines(): string[] {
  const out: string[] = [];
  const tails = [' host sshd[123]: Failed password for root from 192.0.2.1', '', ' ', ': x', '] y'];
  // Syslog / asctime, every month, one- and two-digit days, optional weekday, fraction, year.
  for (let i = 0; i < 12; i++) {
    const mon = MONTHS[i]!;
    const day = (i * 5) % 28 + 1;
    const d = day < 10 ? ` ${day}` : String(day);
    out.push(`${mon} ${d} ${two((i * 7) % 24)}:${two((i * 13) % 60)}:${two((i * 17) % 60)}${tails[i % tails.length]}`);
    out.push(`${DAYS[i % 7]} ${mon} ${two(day)} ${two(i)}:00:01.${'123456'.slice(0, (i % 6) + 1)} 2005${tails[(i + 1) % tails.length]}`);
    out.push(`${mon.toUpperCase()} ${day} ${i}:05:06 2004 upper case`);
    out.push(`${DAYS[i % 7]} ${mon} ${two(day)} 2005 ${two(i)}:59:59.011 host x`);
  }
  out.push(
    // ISO 8601 and relatives
    '2005-01-23T21:59:59.981746 host', '2005-01-23 21:59:59 host', '2005-01-23  8:59:59 host', '2005/01/23 21:59:59 x',
    '2006.12.21 06:43:20 syslog-ng', '2005-01-23T21:59:59+01:00 x', '2005-01-23T21:59:59Z x', '2005-01-23 21:59:59 +0530 x',
    '2005-01-23T21:59:59.123-05 x', '2005-01-23 21:59:59,123 UTC x', '2005-01-23 21:59:59 GMT x', '2005-08-14T12:00:00 x',
    '2005-1-3 1:2:3 short fields', '2005-01-23T21:59:59-0000 x', '2005-13-23 21:59:59 bad month', '2005-02-30 10:00:00 bad day',
    // day-first, Apache, cPanel, month-first
    '23/01/2005 21:59:59 x11vnc', '23/01/05 21:59:59 two-digit year', '17-07-2008 17:23:25 x', '[31/Oct/2006:09:22:55 -0000] GET /',
    '[31/Oct/2006:09:22:55 +0100] GET /', '26-Jul-2007 15:20:52 named', '26-Jul-2007 15:20:52.252 named', '26-Jul-2007 15:20:52 +0200 roundcube',
    '05/20/2008:01:57:39 cPanel', '01-27-2012 16:22:44.252 x', '01-27-2012 16:22:44 x', '31/Feb/2005:10:00:00 +0000 invalid date',
    // Epoch, LongEpoch-like, TAI64N
    '1124013600 x', '1124013600.123 x', '1124013600.123456 x', '[1124013600] nsd', '[1124013600 unclosed', '11240136001 eleven digits',
    'type=AVC msg=audit(1124013600.123:45): denied', 'x audit(1124013600.5:1) y', '1124013600123 thirteen digits',
    '@4000000042ff0d28076fe3bc x', '@400000004a5bbd0a2f6b7a5c tai', 'x @4000000042ff0d28076fe3bc',
    // time only, <..@..>, MySQL, Tomcat, ASSP, compact ISO, zone prefixes
    '21:59:59 time only', '  21:59:59 indented', '23:59:60 leap second', '<09/16/08@05:03:30> x', '130322 11:46:11 mysqld',
    '130322  1:46:11 mysqld', 'Jan 23, 2005 9:59:59 PM tomcat', 'Jan 23, 2005 12:00:01 AM tomcat', 'Jan 23, 2005 12:30:00 PM x',
    'Apr-27-13 02:33:06 assp', '20050123T215959 x', '20050123 215959 x', '20050123  85959 x', '20050123T215959.123+0100 x',
    'PDT Apr 16 21:05:29 monit', 'CEST Aug 14 11:00:00 x', 'XYZ Aug 14 11:00:00 unknown zone', 'cest Aug 14 11:00:00 lower',
    '+00:00 Jan 23 21:59:59.011 2005 x', '-0500 Jan 23 21:59:59 x', 'Z Jan 23 21:59:59 x', 'UTC Sun Jan 23 21:59:59 2005 x',
    // dates inside messages, several dates, no dates
    'host x: something happened at 2005-01-23 21:59:59 here', 'Jan 23 21:59:59 host x: retry at 2005-01-24 10:00:00',
    'message without any date', '', 'a', '12:34 not a time', 'Jan 23 at noon', '2005-01-23', 'v1.2.3 2005-01-23T21:59:59 x',
    'x2005-01-23 21:59:59 glued', '_2005-01-23 21:59:59 underscore', '--2005-01-23 21:59:59 dashes', '[[[2005-01-23 21:59:59 brackets',
    '<13>1 2005-01-23T21:59:59.123+01:00 host app - - msg', '<13>1 Jan 23 21:59:59 host app', 'W>2005-01-23 21:59:59.123 murmur',
  );
  return out;
}

/** Sequences that exercise the search order: format switches, dates inside messages. */
export function switchingLines(): string[] {
  const a = 'Aug 14 11:00:01 host sshd[1]: a';
  const b = '2005-08-14 11:00:02 host b';
  const c = '[14/Aug/2005:11:00:03 +0200] c';
  const inner = 'host x: at 2005-08-14 11:00:04 y';
  return [a, a, b, b, a, c, c, inner, a, inner, inner, b, c, a, a, a, b, b, b, b, c, inner, a];
}

/** Year and day inference around the turn of the year (now = 2005-01-01 00:30 local). */
export function newYearLines(): string[] {
  return [
    'Dec 31 23:59:59 host', 'Jan  1 00:29:59 host', 'Jan  1 00:30:00 host', 'Jan  1 00:30:01 host', 'Jan  2 00:30:00 host',
    'Jan  2 00:31:00 host', 'Jan  3 00:00:00 host', 'Dec 31 00:00:00 host', 'Feb 29 10:00:00 leap day', '00:29:00 time only',
    '00:31:00 time only', '23:59:59 time only', '-0200 Dec 31 23:00:00 zone pushes it over new year', '+1400 Jan 1 10:00:00',
  ];
}

/** Wall times skipped and repeated by DST changes (2005: Mar 27 and Oct 30 in Europe). */
export function dstLines(): string[] {
  return [
    '2005-03-27 01:59:59 x', '2005-03-27 02:00:00 x', '2005-03-27 02:30:00 gap', '2005-03-27 03:00:00 x',
    '2005-10-30 00:30:00 x', '2005-10-30 01:30:00 x', '2005-10-30 02:30:00 overlap', '2005-10-30 02:30:00 again',
    '2005-10-30 03:30:00 x', '2005-07-01 12:00:00 summer', '2005-10-30 02:30:00 after summer', '2005-12-01 12:00:00 winter',
    '2005-10-30 02:30:00 after winter', '2005-10-30 01:30:00 after winter', '2005-04-03 02:30:00 us gap',
    '2005-10-30 01:30:00 us', '2005-03-13 02:30:00 x', '2005-11-06 01:30:00 x', '2005-10-02 02:30:00 sydney gap',
    '2005-03-27 02:30:00 sydney overlap',
  ];
}

/** Patterns for the custom directives and special syntaxes, each with lines it should read. */
export const CUSTOM_PATTERNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['%Y-%m-%d %H:%M:%S', ['2005-08-14 10:00:00 x', 'x 2005-08-14 10:00:00', '2005-8-4 1:2:3 x', '12005-08-14 10:00:00']],
  ['^%Y-%m-%d %H:%M:%S', ['2005-08-14 10:00:00 x', ' 2005-08-14 10:00:00 x']],
  ['{^LN-BEG}%Y-%m-%d %H:%M:%S', ['2005-08-14 10:00:00 x', '[2005-08-14 10:00:00] x', '[[[2005-08-14 10:00:00 x']],
  ['%d/%b/%Y:%H:%M:%S %z', ['[14/Aug/2005:10:00:00 +0200] x', '[14/aug/2005:10:00:00 -0130] x', '[14/AUG/2005:10:00:00 Z] x']],
  ['%a %b %d %H:%M:%S %Y', ['Sun Aug 14 10:00:00 2005 x', 'sun aug 14 10:00:00 2005', 'Xyz Aug 14 10:00:00 2005']],
  ['%A, %B %d, %Y %I:%M %p', ['Sunday, August 14, 2005 10:00 PM x', 'monday, january 03, 2005 12:15 am y']],
  ['%Y %j %H:%M:%S', ['2005 226 10:00:00 x', '2004 366 10:00:00', '2005 366 10:00:00 next year', '2005 001 00:00:00']],
  ['%Y-W%W-%w %H:%M:%S', ['2005-W32-0 10:00:00 x', '2005-W00-1 10:00:00', '2005-W53-6 10:00:00']],
  ['%Y-U%U-%a %H:%M', ['2005-U32-Sun 10:00 x', '2005-U00-Sat 10:00', '2004-U52-Fri 23:59']],
  ['%y%m%d %H%M%S', ['050814 100000 x', '000101 000000 x', '991231 235959 x']],
  ['%d.%m.%Exy %l:%M %p', ['14.08.05  9:30 pm x', '14.08.05 12:00 am x', '14.08.05 11:59 PM x']],
  ['%Exd.%Exm.%ExY %ExH:%ExM:%ExS', ['14.08.2005 10:00:00 x', '4.8.2005 10:00:00 x']],
  ['%Y-%m-%d %Exk:%M', ['2005-08-14 23:05 x', '2005-08-14  7:05 x', '2005-08-14 24:05 x']],
  ['%Y-%m-%d %Exl:%M %p', ['2005-08-14 11:05 pm x', '2005-08-14  7:05 AM x', '2005-08-14 13:05 pm x']],
  ['%Y-%m-%d %k:%M', ['2005-08-14 29:05 x', '2005-08-14  7:05 x']],
  ['%H:%M:%S %ExZ', ['10:00:00 CEST x', '10:00:00 Z x', '10:00:00 QQQ x', '10:00:00 cest x']],
  ['%Y-%m-%d %H:%M:%S %Exz', ['2005-08-14 10:00:00 CET+0100 x', '2005-08-14 10:00:00 UTC-05 x', '2005-08-14 10:00:00 EST x',
    '2005-08-14 10:00:00 +05:30 x', '2005-08-14 10:00:00 ABCD x']],
  ['%Y-%m-%d %H:%M:%S %Z', ['2005-08-14 10:00:00 NZDT x', '2005-08-14 10:00:00 GMT x', '2005-08-14 10:00:00 PDT']],
  ['%c', ['Sun Aug 14 10:00:00 2005 x', 'Sun Aug  4 10:00:00 2005 x']],
  ['%x %X', ['08/14/05 10:00:00 x', '8/4/05 1:2:3 x']],
  ['%Y-%m-%d %H:%M:%S.%f', ['2005-08-14 10:00:00.999999 x', '2005-08-14 10:00:00.5 x']],
  ['%b %d %H:%M:%S', ['Aug 14 10:00:00 x', 'Aug 16 10:00:00 two days ahead', 'Aug 15 11:00:00 within a day', 'Dec 24 10:00:00']],
  ['%m/%d %H:%M', ['08/14 10:00 x', '08/15 12:00 x']],
  ['%b %Y %H:%M', ['Aug 2005 10:00 month without day']],
  ['%I:%M:%S(?: %p)?', ['10:00:00 PM x', '10:00:00 x']],
  ['%%%Y-%m-%d %H:%M:%S', ['%2005-08-14 10:00:00 x']],
  ['{UNB}%Y-%m-%d', ['x2005-08-14y', '2005-08-14']],
  ['**%Y-%m-%d %H:%M:%S**', ['x2005-08-14 10:00:00y']],
  ['^\\[%d/%b/%Y %H:%M:%S\\]', ['[14/Aug/2005 10:00:00] x']],
  ['^[^\\[]*\\[({DATE})', ['host [14/Aug/2005:10:00:00 +0200] x', 'a [2005-08-14 10:00:00] b', 'no brackets 2005-08-14 10:00:00']],
  ['^<\\d+>\\d+\\s+{DATE}', ['<13>1 2005-08-14T10:00:00.123+02:00 host', '<13>1 Aug 14 10:00:00 host', '<1>1 1124013600 x',
    '<1>1 Epoch x', '<1>1 TAI64N x']],
  ['{DATE}', ['Aug 14 10:00:00 x', 'x 2005-08-14 10:00:00', '1124013600 x']],
  ['{^LN-BEG}', ['Aug 14 10:00:00 x', 'x Aug 14 10:00:00', '10:00:00 x']],
  ['{DEFAULT}', ['Aug 14 10:00:00 x']],
  ['{^LN-BEG}Epoch', ['1124013600 x', '[1124013600] x', '[1124013600 x', 'x 1124013600']],
  ['^EPOCH', ['1124013600.5 x']],
  ['LEPOCH', ['1124013600123 ms', '1124013600123456 us', '1124013600123.5 x', '1124013600 s']],
  ['{^LN-BEG}LEPOCH', ['1124013600123 ms']],
  ['^\\[{EPOCH}\\]', ['[1124013600] x', '[1124013600.25] x', '[1124013600 x']],
  ['^\\[{LEPOCH}\\]', ['[1124013600123] x', '[1124013600123456] x']],
  ['TAI64N', ['@4000000042ff0d28076fe3bc x', 'x @4000000042ff0d28076fe3bc']],
  ['{^LN-BEG}TAI64N', ['@4000000042ff0d28076fe3bc x']],
  ['{NONE}', ['Aug 14 10:00:00 x', 'anything']],
  ['^I\\(()**', ['I(1234) x', 'x']],
  ['%Y-%m-%d %H:%M:%S\n%b %d %H:%M:%S', ['2005-08-14 10:00:00 a', 'Aug 14 10:00:01 b', 'c 2005-08-14 10:00:02']],
  ['{^LN-BEG}%b-%d-%Exy %H:%M:%S\n{^LN-BEG}', ['Apr-27-13 02:33:06 x', 'Aug 14 10:00:00 y']],
  ['ISO8601', ['ISO8601 x', '2005-08-14T10:00:00 x']],
  ['(?i)%Y-%m-%dt%H:%M:%S', ['2005-08-14T10:00:00 x', '2005-08-14t10:00:00 x']],
  ['^(\\w+) %Y-%m-%d %H:%M', ['host 2005-08-14 10:00 x', 'x']],
  ['^(?:x(\\d+) )?%Y-%m-%d %H:%M', ['2005-08-14 10:00 x', 'x12 2005-08-14 10:00 y']],
  ['%H:%M:%S$', ['x 10:00:00', '10:00:00 x']],
  ['%H:%M:%S\\b', ['x 10:00:00', '10:00:00x']],
  ['^%ExY-%Exm-%Exd %ExH:%ExM:%ExS', ['2005-08-14 10:00:00', '2035-08-14 10:00:00', '1999-08-14 10:00:00']],
];

/** Lines with the non-ASCII and odd inputs a hostile log can carry. */
export function unicodeLines(): string[] {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let junk = '';
  for (let i = 0; i < 2000; i++) junk += String.fromCharCode(Math.floor(rnd() * 256));
  return [
    '٢٠٠٥-٠٨-١٤ ١٠:٠٠:٠٠ arabic-indic digits', 'Aug ١٤ ١٠:٠٠:٠٠ x', '١١٢٤٠١٣٦٠٠ epoch', '𝟐𝟎𝟎𝟓-08-14 10:00:00 x',
    '😀 Aug 14 10:00:00 x', '😀😀 2005-08-14 10:00:00 x', 'é2005-08-14 10:00:00 x', 'é 2005-08-14 10:00:00 x',
    '\ud800Aug 14 10:00:00 x', 'Aug 14 10:00:00 \udc00', '\udfff\ud800 2005-08-14 10:00:00 x', 'ſep 14 10:00:00 long s',
    'Aug 14 10:00:00\x1c2005 x', '2005-08-14 10:00:00\x1f+0200 x', '2005-08-14 10:00:00\u00a0+0200 x',
    junk, junk + ' 2005-08-14 10:00:00', '😀'.repeat(30) + ' 2005-08-14 10:00:00 x', 'x\u2028Aug 14 10:00:00',
  ];
}

/** Long or pathological lines (kept short enough for the Python side of the comparison). */
export function hostileLines(): string[] {
  return [
    '9'.repeat(5000), '1'.repeat(5000) + ' Jan 23 21:59:59', '2005-01-23 '.repeat(400), 'Jan 23 '.repeat(700),
    '1124013600 '.repeat(400), '@4000000042ff0d28076fe3bc'.repeat(100), ':'.repeat(5000), '12:'.repeat(1500),
    '[' + '1'.repeat(3000) + ']', '<'.repeat(2000) + '09/16/08@05:03:30>',
  ];
}

const SAMPLE_DIR = '/usr/lib/python3/dist-packages/fail2ban/tests/files/logs';

/** Lines of fail2ban's sample logs (comments and blank lines left out), by file name. */
export function sampleLines(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let names: string[] = [];
  try { names = readdirSync(SAMPLE_DIR); } catch { return out; }
  const dec = new TextDecoder('utf-8');
  for (const n of names.sort()) {
    const p = join(SAMPLE_DIR, n);
    if (!statSync(p).isFile()) continue;
    const lines = dec.decode(readFileSync(p)).split('\n').map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    out.set(n, lines);
  }
  return out;
}
