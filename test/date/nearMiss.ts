/**
 * Generated lines at and around the syslog and ISO 8601 date shapes: every part of the date
 * varied between valid, borderline and wrong values (months and weekdays in any case or
 * misspelt, one- and two-digit and space-padded fields, out-of-range values, missing or extra
 * spaces, fractions of 0 to 7 digits, years inside and outside %ExY, zones of every form),
 * leading non-word characters, Unicode look-alikes, what follows the date, and truncation.
 * Deterministic for a seed.
 */
import { rng } from '../../bench/genSyslog.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const BAD_NAMES = ['Foo', 'Ja', 'Janu', 'J4n', 'ſep', 'ſat', 'Kan', 'Oct_', 'N0v', 'Mar.', 'May1', 'Jun-'];
const PREFIXES = ['', '', '', '', '[', '<', ' ', '  ', '   ', '[[', '[[[', '-', '((', '_', 'x', '1', '\t', '*', 'é', '😀',
  '\u00a0', '\ud800', '<13>', '[ ', ' [', '.'];
const TAILS = [' mx1 sshd[2000]: Failed password', ' host x', '', '', ' ', 'x', '_', '.', ':', '\n', '\x1c', 'é', '5', '0',
  ' 2', 'Z', ']', ' [pid]', '\t', '-', ',', '.5', 'ſ', 'K', '\u212a', '😀', '\u00a0x', ' \u0660', '\r'];
const ASCII_TAILS = [' mx1 sshd[2000]: Failed password', ' host x', '', ' ', 'x', '_', '.', ':', '5', ']', '\t', ','];
const SPACES = ['', ' ', ' ', ' ', ' ', '  ', '   ', '\t', '\x1c', '\u00a0'];

function cased(s: string, r: () => number): string {
  const k = r();
  if (k < 0.6) return s;
  if (k < 0.75) return s.toUpperCase();
  if (k < 0.9) return s.toLowerCase();
  return [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;

/** A one- or two-digit field in 0..max, padded with '0', ' ' or nothing. */
function field(r: () => number, max: number): string {
  const v = Math.floor(r() * (max + 1));
  const k = r();
  if (k < 0.75) return String(v).padStart(2, '0');
  if (k < 0.9) return String(v);
  return String(v).padStart(2, ' ');
}

/** A field that is wrong or borderline: out of range, too long, glued, empty, non-ASCII digits. */
function badField(r: () => number, max: number): string {
  return pick(r, [String(max + 1 + Math.floor(r() * 40)), String(Math.floor(r() * (max + 1))).padStart(3, '0'),
    `${Math.floor(r() * 10)}x`, '', '٣', '𝟐', '1٢', 'a', ' ', '  5', String(max), String(max + 1), '0', '00', ' 0']);
}

function fraction(r: () => number): string {
  const k = r();
  if (k < 0.7) return '';
  return (r() < 0.85 ? '.' : ',') + '1234567890'.slice(0, 1 + Math.floor(r() * 6));
}

const BAD_FRACTIONS = ['.', ',', '.1234567', '.12345678x', '.x', '..1', '.٣'];

function year(r: () => number): string {
  return String(2000 + Math.floor(r() * 27));
}

const BAD_YEARS = ['1999', '2099', '2035', '20', '205', '20255', '2٠05', '2005x', '２005', '2005_', '0000'];
const ZONES = ['Z', 'UTC', 'GMT', '+01', '+01:00', '+0100', '-05', '-00:30', '+19:59', '-1230'];
const BAD_ZONES = ['Zulu', 'UTCx', 'GMT+1', '+01:0', '+01:', '+1', '+25', '+0100x', '+01:00x', '+19:99', 'CET', 'utc',
  'z', '+01_', '+01:00:00', '+٠١:00', '+01:001'];

/** Which of n parts to get wrong: none for about a third of the dates, else one or two. */
function faults(r: () => number, n: number): Set<number> {
  const out = new Set<number>();
  const k = r();
  if (k < 0.35) return out;
  out.add(Math.floor(r() * n));
  if (k > 0.8) out.add(Math.floor(r() * n));
  return out;
}

function syslogDate(r: () => number): string {
  const bad = faults(r, 11);
  let s = '';
  if (bad.has(0)) s += pick(r, [...BAD_NAMES, 'Mon', 'Sun  ', 'tue']) + (r() < 0.5 ? ' ' : '');
  else if (r() < 0.25) s += cased(pick(r, DAYS), r) + ' ';
  s += bad.has(1) ? pick(r, BAD_NAMES) : cased(pick(r, MONTHS), r);
  s += bad.has(2) ? pick(r, SPACES) : ' ';
  s += bad.has(3) ? badField(r, 31) : (r() < 0.3 ? String(1 + Math.floor(r() * 9)).padStart(2, ' ') : String(1 + Math.floor(r() * 31)).padStart(2, '0'));
  s += bad.has(4) ? pick(r, SPACES) : r() < 0.1 ? '  ' : ' ';
  s += bad.has(5) ? badField(r, 29) : field(r, 29);
  s += bad.has(6) ? pick(r, ['.', ' ', '::', '']) : ':';
  s += bad.has(7) ? badField(r, 59) : field(r, 59);
  s += ':';
  s += bad.has(8) ? badField(r, 61) : field(r, 61);
  s += bad.has(9) ? pick(r, BAD_FRACTIONS) : fraction(r).replace(',', '.');
  if (bad.has(10)) s += pick(r, [' ', '  ', '']) + pick(r, BAD_YEARS);
  else if (r() < 0.2) s += ' ' + year(r);
  return s;
}

function isoDate(r: () => number): string {
  const bad = faults(r, 12);
  const sep = pick(r, ['-', '-', '-', '/', '.']);
  let s = bad.has(0) ? pick(r, BAD_YEARS) : year(r);
  s += bad.has(1) ? pick(r, [':', '_', ' ', '']) : sep;
  s += bad.has(2) ? badField(r, 12) : r() < 0.2 ? String(1 + Math.floor(r() * 12)) : String(1 + Math.floor(r() * 12)).padStart(2, '0');
  s += bad.has(3) ? pick(r, ['-', '/', '.', ':', '']) : sep;
  s += bad.has(4) ? badField(r, 31) : r() < 0.2 ? String(1 + Math.floor(r() * 31)) : String(1 + Math.floor(r() * 31)).padStart(2, '0');
  s += bad.has(5) ? pick(r, ['t', '', '\t', '   ', 'TT', 'T ']) : pick(r, ['T', 'T', ' ', '  ']);
  s += bad.has(6) ? badField(r, 26) : field(r, 23);
  s += ':';
  s += bad.has(7) ? badField(r, 59) : field(r, 59);
  s += ':';
  s += bad.has(8) ? badField(r, 61) : field(r, 61);
  s += bad.has(9) ? pick(r, BAD_FRACTIONS) : fraction(r);
  if (bad.has(10)) s += pick(r, ['', ' ', '\x1c', ' '.repeat(60), '\u00a0']) + pick(r, ZONES);
  else if (bad.has(11)) s += pick(r, ['', ' ', '  \t']) + pick(r, BAD_ZONES);
  else if (r() < 0.5) s += pick(r, ['', '', ' ', '  \t', '\x1c']) + pick(r, ZONES);
  return s;
}

/** `count` lines around the two shapes, half of each, some cut short. */
export function nearMissLines(count: number, seed = 1): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const prefix = r() < 0.6 ? '' : pick(r, PREFIXES);
    const tail = r() < 0.7 ? pick(r, ASCII_TAILS) : pick(r, TAILS);
    let line = prefix + (r() < 0.5 ? syslogDate(r) : isoDate(r)) + tail;
    if (r() < 0.1) line = line.slice(0, Math.floor(r() * (line.length + 1)));
    out.push(line);
  }
  return out;
}
