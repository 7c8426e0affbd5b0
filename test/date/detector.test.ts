import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDateDetector, createLocalZone, type DateDetector } from '../../src/filter/date/index.js';
import { isLogjailError } from '../../src/errors.js';

const CET = createLocalZone('CET-01CEST-02,M3.5.0,M10.5.0');
/** 2005-08-14 12:00:00 CEST. */
const NOW = 1124013600;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

function detector(pattern?: string, timezone?: string): DateDetector {
  return createDateDetector({ pattern, timezone, localZone: CET, context: 'test' });
}

/** [date text, epoch] of a line, or null when no date is found. */
function read(d: DateDetector, line: string, now = NOW): [string, number | null] | null {
  if (!d.find(line)) return null;
  return [line.slice(d.start, d.end), d.time(line, now)];
}

describe('default templates', () => {
  test('there are 31: 14 line-anchored twins with weight 100, then the 17 formats', () => {
    const d = detector();
    assert.equal(d.stats.length, 31);
    assert.equal(d.stats.filter((t) => t.name.startsWith('{^LN-BEG}')).length, 15);
    assert.deepEqual(d.stats.slice(0, 14).map((t) => t.baseWeight), Array(14).fill(100));
    assert.equal(d.stats[0]!.name,
      '{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\\s*Zone offset)?');
    assert.equal(d.stats[14]!.name, d.stats[0]!.name.slice('{^LN-BEG}'.length));
    assert.deepEqual(d.stats.slice(-3).map((t) => t.name), [
      '(?:Zone name )?(?:DAY )?MON Day %k:Minute:Second(?:\\.Microseconds)?(?: ExYear)?',
      '(?:Zone offset )?(?:DAY )?MON Day %k:Minute:Second(?:\\.Microseconds)?(?: ExYear)?',
      'TAI64N',
    ]);
    assert.equal(d.stats.find((t) => t.name === 'Epoch')!.pattern, '');
  });

  test('{^LN-BEG} keeps the 17 templates anchored at the line start', () => {
    const d = detector('{^LN-BEG}');
    assert.equal(d.stats.length, 17);
    assert.deepEqual(d.stats.slice(14).map((t) => t.name),
      ['{^LN-BEG}24hour:Minute:Second', '^<Month/Day/ExYear2@24hour:Minute:Second>', '^MON-Day-ExYear2 %k:Minute:Second']);
    assert.equal(read(d, 'host x: Aug 14 10:00:00'), null);
  });

  test('syslog, ISO 8601, Apache and epoch dates are cut out and converted', () => {
    const d = detector();
    assert.deepEqual(read(d, 'Jan 23 21:59:59 host sshd[1]: x'), ['Jan 23 21:59:59', utc(2005, 1, 23, 20, 59, 59)]);
    assert.deepEqual(read(d, '2005-08-14T11:22:33.981746+01:00 x'), ['2005-08-14T11:22:33.981746+01:00', utc(2005, 8, 14, 10, 22, 33)]);
    assert.deepEqual(read(d, '[31/Oct/2006:09:22:55 -0000] "GET /"'), ['31/Oct/2006:09:22:55 -0000', utc(2006, 10, 31, 9, 22, 55)]);
    assert.deepEqual(read(d, '1124013600.123456 x'), ['1124013600.123456', 1124013600.123456]);
    assert.deepEqual(read(d, '@4000000042ff0d28076fe3bc x'), ['@4000000042ff0d28076fe3bc', 0x42ff0d28]);
    assert.deepEqual(read(d, 'Sun Jan 23 2005 21:59:59.011 x'), ['Sun Jan 23 2005 21:59:59.011', utc(2005, 1, 23, 20, 59, 59)]);
    assert.deepEqual(read(d, 'Jan 23, 2005 9:59:59 PM x'), ['Jan 23, 2005 9:59:59 PM', utc(2005, 1, 23, 20, 59, 59)]);
    assert.deepEqual(read(d, '130322 11:46:11 mysqld'), ['130322 11:46:11', utc(2013, 3, 22, 10, 46, 11)]);
  });

  test('the date text is cut without the surrounding white space or brackets', () => {
    const d = detector();
    const line = '  [2005-08-14 12:00:00] host';
    assert.ok(d.find(line));
    assert.equal(line.slice(0, d.start) + line.slice(d.end), '  [] host');
  });

  test('a date inside the message loses to one nearer the line start', () => {
    const d = detector();
    const line = 'Aug 14 10:00:00 host x: retry at 2005-08-20 11:00:00';
    assert.deepEqual(read(d, line), ['Aug 14 10:00:00', utc(2005, 8, 14, 8)]);
    assert.deepEqual(read(d, 'host x: at 2005-08-14 09:00:00 y'), ['2005-08-14 09:00:00', utc(2005, 8, 14, 7)]);
  });

  test('hit counts and the search order follow the winners', () => {
    const d = detector();
    for (let i = 0; i < 3; i++) read(d, `2005-08-14 10:00:0${i} x`);
    read(d, 'Aug 14 10:00:00 y');
    read(d, 'Aug 14 10:00:01 y');
    const hits = d.stats.filter((t) => t.hits > 0).map((t) => [t.name.slice(0, 20), t.hits]);
    assert.deepEqual(hits, [['{^LN-BEG}ExYear(?P<_', 3], ['{^LN-BEG}(?:DAY )?MO', 2]]);
    assert.deepEqual(d.templates.slice(0, 2).map((t) => t.hits), [3, 2]);
    assert.equal(d.templates[1]!.weight, 200);
  });
});

describe('year and day inference', () => {
  test('a date without year is this year unless that is more than a day ahead', () => {
    const d = detector();
    assert.equal(read(d, 'Aug 15 11:59:59 x')![1], utc(2005, 8, 15, 9, 59, 59));
    assert.equal(read(d, 'Aug 15 12:00:01 x')![1], utc(2004, 8, 15, 10, 0, 1));
    assert.equal(read(d, 'Dec 31 23:00:00 x')![1], utc(2004, 12, 31, 22));
  });

  test('around New Year last December stays last year and the first of January is this year', () => {
    const d = detector();
    const now = utc(2004, 12, 31, 23, 30); // 2005-01-01 00:30 CET
    assert.equal(read(d, 'Dec 31 23:59:59 x', now)![1], utc(2004, 12, 31, 22, 59, 59));
    assert.equal(read(d, 'Jan  1 00:29:59 x', now)![1], utc(2004, 12, 31, 23, 29, 59));
    assert.equal(read(d, 'Jan  2 00:30:01 x', now)![1], utc(2004, 1, 1, 23, 30, 1));
  });

  test('a time of day alone is today, or yesterday when it is still to come', () => {
    const d = detector();
    assert.equal(read(d, '11:59:59 x')![1], utc(2005, 8, 14, 9, 59, 59));
    assert.equal(read(d, '12:00:01 x')![1], utc(2005, 8, 13, 10, 0, 1));
  });

  test('two-digit years are 20yy', () => {
    assert.equal(read(detector('%d.%m.%y %H:%M'), '14.08.99 10:00 x')![1], utc(2099, 8, 14, 8));
    assert.equal(read(detector(), '23/01/05 21:59:59 x')![1], utc(2005, 1, 23, 20, 59, 59));
  });
});

describe('directives', () => {
  test('%I with %p and %l give a 24-hour time; 12 AM is midnight', () => {
    const d = detector('%Y-%m-%d %I:%M %p');
    assert.equal(read(d, '2005-08-14 12:00 AM')![1], utc(2005, 8, 13, 22));
    assert.equal(read(d, '2005-08-14 12:00 pm')![1], utc(2005, 8, 14, 10));
    assert.equal(read(d, '2005-08-14 01:30 PM')![1], utc(2005, 8, 14, 11, 30));
    assert.equal(read(detector('%Y-%m-%d %l:%M'), '2005-08-14  9:30 x')![1], utc(2005, 8, 14, 7, 30));
  });

  test('%j, %U / %W with a weekday, %A and %B give the calendar date', () => {
    assert.equal(read(detector('%Y %j %H:%M'), '2005 226 10:00')![1], utc(2005, 8, 14, 8));
    assert.equal(read(detector('%Y %W %w %H:%M'), '2005 32 0 10:00')![1], utc(2005, 8, 14, 8));
    assert.equal(read(detector('%Y %U %a %H:%M'), '2005 33 Sun 10:00')![1], utc(2005, 8, 14, 8));
    assert.equal(read(detector('%A %B %d %Y %H:%M'), 'Sunday August 14 2005 10:00')![1], utc(2005, 8, 14, 8));
  });

  test('fractions of seconds are matched but dropped; epochs keep them', () => {
    assert.equal(read(detector('%Y-%m-%d %H:%M:%S.%f'), '2005-08-14 10:00:00.999999')![1], utc(2005, 8, 14, 8));
    const long = detector('LEPOCH');
    assert.equal(read(long, '1124013600123 x')![1], 1124013600.123);
    assert.equal(read(long, '1124013600123456 x')![1], 1124013600.123456);
  });

  test('a zone in the line wins over logtimezone, which wins over local time', () => {
    const d = detector('%Y-%m-%d %H:%M:%S(?: %z)?', 'UTC+0530');
    assert.equal(read(d, '2005-08-14 10:00:00 +0100')![1], utc(2005, 8, 14, 9));
    assert.equal(read(d, '2005-08-14 10:00:00 Z')![1], utc(2005, 8, 14, 10));
    assert.equal(read(d, '2005-08-14 10:00:00')![1], utc(2005, 8, 14, 4, 30));
    assert.equal(read(detector('%Y-%m-%d %H:%M:%S %Z'), '2005-08-14 10:00:00 NZDT')![1], utc(2005, 8, 13, 21));
    assert.equal(read(detector('%H:%M:%S %Exz'), '10:00:00 CET+0100')![1], utc(2005, 8, 14, 8));
  });

  test('impossible dates give no time and keep the line', () => {
    const d = detector('%Y-%m-%d %H:%M:%S');
    for (const l of ['2005-02-30 10:00:00', '2005-08-14 10:00:60', '2005-02-29 10:00:00']) {
      const r = read(d, l);
      assert.equal(r![1], null, l);
      assert.equal(d.dropLine, false, l);
    }
    assert.equal(read(detector('%Y-%m-%d %k:%M'), '2005-08-14 25:00')![1], null);
  });

  test('where fail2ban\'s parser raises, the line is to be dropped', () => {
    const d = detector();
    assert.deepEqual(read(d, 'XYZ Aug 14 10:00:00 x'), ['XYZ Aug 14 10:00:00', null]);
    assert.equal(d.dropLine, true);
    assert.deepEqual(read(d, 'cest Aug 14 10:00:00 x'), ['cest Aug 14 10:00:00', null]);
    assert.equal(d.dropLine, false);
    const monthOnly = detector('%b %Y %H:%M');
    assert.equal(read(monthOnly, 'Aug 2005 10:00')![1], null);
    assert.equal(monthOnly.dropLine, true);
  });
});

describe('special patterns', () => {
  test('{DATE} inside a regex becomes one template per default format and cuts only group 1', () => {
    const d = detector('^[^\\[]*\\[({DATE})');
    assert.equal(d.stats.length, 17);
    assert.equal(d.stats[0]!.name, '^[^\\[]*\\[(ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\\s*Zone offset)?)');
    const line = 'host [14/Aug/2005:10:00:00 +0200] x';
    assert.deepEqual(read(d, line), ['14/Aug/2005:10:00:00 +0200', utc(2005, 8, 14, 8)]);
    assert.equal(line.slice(0, d.start) + line.slice(d.end), 'host [] x');
  });

  test('a regex around {DATE} without a group is cut as a whole', () => {
    const d = detector('^<\\d+>\\d+\\s+{DATE}');
    const line = '<13>1 2005-08-14T10:00:00.123+02:00 host app';
    assert.deepEqual(read(d, line), ['<13>1 2005-08-14T10:00:00.123+02:00', utc(2005, 8, 14, 8)]);
  });

  test('{EPOCH} and {LEPOCH} are placeholders inside a regex', () => {
    assert.deepEqual(read(detector('^\\[{EPOCH}\\]'), '[1124013600.250] x'), ['[1124013600.250]', 1124013600.25]);
    // Epoch fractions need three to six digits.
    assert.equal(read(detector('^\\[{EPOCH}\\]'), '[1124013600.25] x'), null);
    assert.deepEqual(read(detector('^\\[{LEPOCH}\\]'), '[1124013600123] x'), ['[1124013600123]', 1124013600.123]);
  });

  test('{NONE} matches an empty date on every line', () => {
    const d = detector('{NONE}');
    assert.equal(d.none, true);
    assert.ok(d.find('Aug 14 10:00:00 x'));
    assert.equal(d.start, d.end);
    assert.equal(detector('%H:%M').none, false);
  });

  test('an empty group 1 marks a line whose date is optional', () => {
    const d = detector('^I\\(()**');
    assert.ok(d.find('I(123) x'));
    assert.equal(d.start, d.end);
    assert.equal(d.find('x I(123)'), false);
  });

  test('{UNB} and ** drop the word boundaries, {^LN-BEG} allows two non-word characters first', () => {
    assert.deepEqual(read(detector('{UNB}%Y-%m-%d'), 'x2005-08-14y'), ['2005-08-14', utc(2005, 8, 13, 22)]);
    assert.equal(read(detector('%Y-%m-%d'), 'x2005-08-14y'), null);
    assert.deepEqual(read(detector('**%Y-%m-%d %H:%M**'), 'a2005-08-14 10:00b')?.[0], '2005-08-14 10:00');
    const ln = detector('{^LN-BEG}%Y-%m-%d %H:%M');
    assert.deepEqual(read(ln, '[[2005-08-14 10:00] x')?.[0], '2005-08-14 10:00');
    assert.equal(read(ln, '[[[2005-08-14 10:00] x'), null);
  });

  test('names with letters match case-insensitively, others do not', () => {
    assert.notEqual(read(detector('%d/%b/%Y'), '14/AUG/2005'), null);
    assert.equal(read(detector('%Y-%m-%dT%H'), '2005-08-14t10'), null);
    assert.notEqual(read(detector('(?i)%Y-%m-%dT%H'), '2005-08-14t10'), null);
  });

  test('several patterns, one per line, are tried as one list', () => {
    const d = detector('%Y-%m-%d %H:%M:%S\n\n  %b %d %H:%M:%S  \n');
    assert.deepEqual(d.stats.map((t) => t.name), ['Year-Month-Day 24hour:Minute:Second', 'MON Day 24hour:Minute:Second']);
    assert.equal(read(d, 'Aug 14 10:00:00 x')![1], utc(2005, 8, 14, 8));
  });
});

describe('configuration errors', () => {
  const fails = (pattern: string, code: string, words: string): void => {
    assert.throws(() => detector(pattern), (e: unknown) => isLogjailError(e) && e.code === code && e.message.includes(words), pattern);
  };

  test('an unknown directive, a duplicate template and a bad regex are rejected when the detector is made', () => {
    fails('%Y-%q', 'LJ301', '%q');
    fails('%Y 100%', 'LJ301', '100%');
    fails('%Y-%m-%d\n%Y-%m-%d', 'LJ301', 'same date template');
    fails('%H:%M %k', 'LJ301', 'H');
    fails('%Y-(%m', 'LJ301', '%Y-(%m');
  });

  test('a bad logtimezone is rejected', () => {
    assert.throws(() => detector(undefined, 'Mars/Olympus'), (e: unknown) => isLogjailError(e) && e.code === 'LJ302');
  });
});
