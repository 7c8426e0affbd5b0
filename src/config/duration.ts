/**
 * Durations as fail2ban reads them (bantime, findtime, dbpurgeage, action timeout, ...).
 *
 * fail2ban rewrites the text into a Python expression and evaluates it: unit words become
 * "*<seconds>", a unit glued to a following number gets a space ("1d12h" → "1d 12h"), and two
 * numbers separated only by whitespace are added ("1h 30m"). So "1h+30m", "2 days", "1.5h" and
 * "-1" all work. logjail does the same rewriting, then evaluates the arithmetic itself (numbers,
 * + - * / // % **, parentheses) instead of handing the text to an interpreter.
 *
 * Units (case-insensitive): years? yea? yy? = 365.25 days; months? mon? (and "mo") = a twelfth of
 * that; weeks? wee? ww?; days? da dd?; hours? hou? hh?; minutes? min? mm? (so "m" is a minute);
 * seconds? sec? ss?. A unit must follow a digit or whitespace and end the word.
 */
import { LogjailError, type Place } from '../errors.js';
import { isPySpace } from './pystr.js';

const DAY = 86400;
const YEAR = (365 * 3 + 366) * DAY / 4;
const UNITS: ReadonlyMap<string, string> = new Map([
  ...['days', 'day', 'da', 'dd', 'd'].map((u) => [u, String(DAY)] as const),
  ...['weeks', 'week', 'wee', 'we', 'ww', 'w'].map((u) => [u, String(7 * DAY)] as const),
  // Python prints these two as floats; keep the ".0" so the arithmetic below sees the same text.
  ...['months', 'month', 'mon', 'mo'].map((u) => [u, (YEAR / 12).toFixed(1)] as const),
  ...['years', 'year', 'yea', 'ye', 'yy', 'y'].map((u) => [u, YEAR.toFixed(1)] as const),
  ...['seconds', 'second', 'sec', 'se', 'ss', 's'].map((u) => [u, '1'] as const),
  ...['minutes', 'minute', 'min', 'mi', 'mm', 'm'].map((u) => [u, '60'] as const),
  ...['hours', 'hour', 'hou', 'ho', 'hh', 'h'].map((u) => [u, '3600'] as const),
]);

/** Seconds for a duration text; throws LogjailError LJ111 when it is not one. */
export function parseDuration(text: string, place: Place = {}): number {
  const expr = rewrite(text);
  let v: number;
  try {
    v = evaluate(expr);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new LogjailError('CONFIG_DURATION', `${JSON.stringify(text)} is not a duration (${why})`, place);
  }
  if (!Number.isFinite(v)) {
    throw new LogjailError('CONFIG_DURATION', `${JSON.stringify(text)} does not give a finite number of seconds`, place);
  }
  return v;
}

/** Turn unit words into multiplications, exactly as fail2ban's text rewriting does. */
export function rewrite(text: string): string {
  // "1d12h" → "1d 12h": a space between a letter and the digit after it.
  let s = text.replace(/(?<=[a-z])(?=\d)/gi, ' ');
  // Whole letter runs that follow a digit or whitespace and end the word.
  s = s.replace(/[a-z]+/gi, (word: string, at: number, all: string) => {
    const before = at > 0 ? all[at - 1]! : '';
    if (before === '' || !(isDigit(before) || isPySpace(before))) return word;
    const after = all[at + word.length];
    if (after !== undefined && (isDigit(after) || after === '_' || /\p{L}|\p{N}/u.test(after))) return word;
    const secs = UNITS.get(word.toLowerCase());
    return secs === undefined ? word : '*' + secs;
  });
  // "1*3600 30*60" → "1*3600+30*60" (non-overlapping, left to right, like re.sub).
  return s.replace(/(\d)\s+(\d)/g, '$1+$2');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

// ---- a small evaluator for Python arithmetic on numbers ----

const MAX_NESTING = 100;

type Tok = { t: 'num'; v: number } | { t: 'op'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (isPySpace(c)) { i++; continue; }
    const num = /^(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/.exec(s.slice(i));
    if (num !== null) {
      const lit = num[0];
      // Python rejects integer literals with leading zeros such as "010".
      if (/^0+[1-9]/.test(lit) && !/[.eE]/.test(lit)) throw new Error(`invalid number "${lit}"`);
      out.push({ t: 'num', v: Number(lit.replace(/_/g, '')) });
      i += lit.length;
      continue;
    }
    const op = /^(?:\*\*|\/\/|[-+*/%()])/.exec(s.slice(i));
    if (op === null) throw new Error(`unexpected ${JSON.stringify(s.slice(i, i + 10))}`);
    out.push({ t: 'op', v: op[0] });
    i += op[0].length;
  }
  return out;
}

export function evaluate(expr: string): number {
  const toks = tokenize(expr);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (v: string): boolean => { const t = peek(); return t !== undefined && t.t === 'op' && t.v === v; };

  // sum := term (("+"|"-") term)*
  const sum = (): number => {
    let v = term();
    while (isOp('+') || isOp('-')) {
      const o = (toks[pos++] as { v: string }).v;
      const r = term();
      v = o === '+' ? v + r : v - r;
    }
    return v;
  };
  // term := unary (("*"|"/"|"//"|"%") unary)*
  const term = (): number => {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%')) {
      const o = (toks[pos++] as { v: string }).v;
      const r = unary();
      if (o !== '*' && r === 0) throw new Error('division by zero');
      if (o === '*') v *= r;
      else if (o === '/') v /= r;
      else if (o === '//') v = Math.floor(v / r);
      else v = v - r * Math.floor(v / r); // Python's modulo takes the sign of the divisor
    }
    return v;
  };
  // unary := ("+"|"-") unary | power   (iterative: "-----1" must not exhaust the stack)
  const unary = (): number => {
    let sign = 1;
    while (isOp('-') || isOp('+')) { if ((toks[pos++] as { v: string }).v === '-') sign = -sign; }
    return sign * power();
  };
  // power := atom ("**" ("+"|"-")* atom)*, right-associative (collected, then folded)
  const power = (): number => {
    const operands = [atom()];
    const signs = [1];
    while (isOp('**')) {
      pos++;
      let sign = 1;
      while (isOp('-') || isOp('+')) { if ((toks[pos++] as { v: string }).v === '-') sign = -sign; }
      operands.push(atom());
      signs.push(sign);
    }
    // a ** -b ** c is a ** (-(b ** c)): a sign applies to the whole power on its right.
    let v = operands[operands.length - 1]!;
    for (let i = operands.length - 2; i >= 0; i--) v = operands[i]! ** (signs[i + 1]! * v);
    return v;
  };
  let nesting = 0;
  const atom = (): number => {
    const t = toks[pos++];
    if (t === undefined) throw new Error('incomplete expression');
    if (t.t === 'num') return t.v;
    if (t.v === '(') {
      if (++nesting > MAX_NESTING) throw new Error('parentheses nest too deeply');
      const v = sum();
      nesting--;
      if (!isOp(')')) throw new Error('missing ")"');
      pos++;
      return v;
    }
    throw new Error(`unexpected "${t.v}"`);
  };

  if (toks.length === 0) throw new Error('empty');
  const v = sum();
  if (pos !== toks.length) throw new Error('unexpected text after the value');
  return v;
}
