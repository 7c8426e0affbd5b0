/**
 * Python (fail2ban) regular expressions → JavaScript RegExp, with Python's meaning.
 *
 * INTERFACE (stable; other modules depend on it). The implementation behind it is in this folder:
 *
 *   parser.ts      Python syntax → raw items (Python's errors, positions and rewrites)
 *   lower.ts       flags applied → the model of ast.ts (charClasses.ts: Python's character sets)
 *   exactness.ts   constructs where V8 and Python disagree and nothing below rewrites them
 *   references.ts  conditionals and back-references rewritten into plain alternatives
 *   emit.ts        the model → JavaScript source and the group-number map
 *   literals.ts    required literals for a pre-filter
 */
import { LogjailError } from '../../errors.js';
import { lowerPattern } from './lower.js';
import { FLAG, PythonSyntaxError, UnsupportedNamedEscape, UnsupportedSyntax, parsePattern, type ParsedPattern } from './parser.js';
import { checkLoops, checkSource, Inexact } from './exactness.js';
import { resolveReferences, UnsupportedReference } from './references.js';
import { emit, UnsupportedEmit, type LoopToReplay } from './emit.js';
import { PythonRegExp } from './replay.js';
import { literalsOf } from './literals.js';
import { firstCharsOf, type FirstChars } from './firstChars.js';
import type { Node } from './ast.js';

export interface TranslateOptions {
  /** Python re.MULTILINE: ^ and $ match at every line (only failregex in multi-line filters). */
  readonly multiline?: boolean;
  /** Python re.IGNORECASE for the whole pattern. */
  readonly ignoreCase?: boolean;
  /**
   * When false (default true) the caller promises the subject is pure ASCII; the translation may
   * then use ASCII classes for \d \w \s \b, which are equivalent on ASCII text and faster.
   */
  readonly unicode?: boolean;
  /** Also compute match indices (the JS `d` flag), needed to know where a group starts and ends. */
  readonly indices?: boolean;
  /** Name used in error messages ("filter sshd, failregex 3"). */
  readonly context?: string;
}

export interface CompiledPattern {
  /** The Python source as given. */
  readonly pattern: string;
  readonly regex: RegExp;
  /** Python group name → JS capture numbers; several when the translation duplicated a group. */
  readonly named: ReadonlyMap<string, readonly number[]>;
  /** Python group number (index 1..n; index 0 unused) → JS capture numbers. */
  readonly numbered: readonly (readonly number[])[];
  /** Python group names in order of their definition. */
  readonly names: readonly string[];
}

const cache = new Map<string, CompiledPattern>();
const CACHE_SIZE = 1000;

/** Translate a Python pattern; throws LogjailError REGEX_SYNTAX / REGEX_UNSUPPORTED. */
export function translate(pattern: string, opts: TranslateOptions = {}): CompiledPattern {
  const key = `${opts.multiline ? 'm' : ''}${opts.ignoreCase ? 'i' : ''}${opts.unicode === false ? 'a' : ''}${opts.indices ? 'd' : ''}:${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let compiled: CompiledPattern;
  try {
    compiled = compile(pattern, opts);
  } catch (e) {
    // A stack overflow in one of the recursive passes: refuse the pattern, do not crash.
    if (e instanceof RangeError) throw unsupported(opts.context ?? 'pattern', pattern, 'the pattern is too large or nested too deeply', undefined);
    throw e;
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

function compile(pattern: string, opts: TranslateOptions): CompiledPattern {
  const where = opts.context ?? 'pattern';
  const { parsed, model } = analyse(pattern, opts);
  const groupName = nameLookup(parsed);
  let source: string;
  let captures: ReadonlyMap<number, readonly number[]>;
  let loops: readonly LoopToReplay[];
  try {
    checkSource(model, groupName);
    const resolved = resolveReferences(model, groupName);
    checkLoops(resolved);
    ({ source, captures, loops } = emit(resolved, opts.unicode === false));
  } catch (e) {
    if (e instanceof Inexact || e instanceof UnsupportedReference || e instanceof UnsupportedEmit) {
      throw unsupported(where, pattern, e.reason, e.pos);
    }
    throw e;
  }
  const flags = (opts.unicode === false ? '' : 'u') + (opts.indices ? 'd' : '');
  let regex: RegExp;
  try {
    regex = loops.length > 0 ? new PythonRegExp(source, flags, loops, opts.unicode === false) : new RegExp(source, flags);
  } catch (e) {
    throw unsupported(where, pattern, `JavaScript rejects the translation (${(e as Error).message})`, undefined);
  }
  const numbered: (readonly number[])[] = [[]];
  for (let g = 1; g <= parsed.groups; g++) numbered.push(captures.get(g) ?? []);
  const named = new Map<string, readonly number[]>();
  for (const [name, g] of parsed.names) named.set(name, numbered[g]!);
  return { pattern, regex, named, numbered, names: [...parsed.names.keys()] };
}

const analyses = new Map<string, { parsed: ParsedPattern; model: Node }>();

/**
 * Parse and apply flags; Python's own syntax errors become REGEX_SYNTAX. Memoised: translating
 * (in both variants), the literals and the first characters of one pattern share one analysis.
 */
function analyse(pattern: string, opts: TranslateOptions): { parsed: ParsedPattern; model: Node } {
  const key = `${opts.multiline ? 'm' : ''}${opts.ignoreCase ? 'i' : ''}:${pattern}`;
  let a = analyses.get(key);
  if (a === undefined) {
    a = analyseOnce(pattern, opts);
    if (analyses.size >= CACHE_SIZE) analyses.delete(analyses.keys().next().value as string);
    analyses.set(key, a);
  }
  return a;
}

function analyseOnce(pattern: string, opts: TranslateOptions): { parsed: ParsedPattern; model: Node } {
  const where = opts.context ?? 'pattern';
  const flags = (opts.ignoreCase ? FLAG.IGNORECASE : 0) | (opts.multiline ? FLAG.MULTILINE : 0);
  try {
    const parsed = parsePattern(pattern, flags);
    return { parsed, model: lowerPattern(parsed) };
  } catch (e) {
    if (e instanceof PythonSyntaxError) {
      throw new LogjailError('REGEX_SYNTAX', `${where}: ${e.message}${excerpt(pattern, e.pos)}`);
    }
    if (e instanceof UnsupportedNamedEscape) {
      throw unsupported(where, pattern, `named character escape \\N{${e.charName}} (write the character or \\uXXXX instead)`, e.pos);
    }
    if (e instanceof UnsupportedSyntax) throw unsupported(where, pattern, e.reason, e.pos);
    throw e;
  }
}

function nameLookup(parsed: ParsedPattern): (index: number) => string {
  const byIndex = new Map<number, string>();
  for (const [name, g] of parsed.names) byIndex.set(g, name);
  return (g) => {
    const name = byIndex.get(g);
    return name === undefined ? String(g) : `'${name}'`;
  };
}

function unsupported(where: string, pattern: string, reason: string, pos: number | undefined): LogjailError {
  const at = pos === undefined ? '' : ` at position ${pos}`;
  return new LogjailError('REGEX_UNSUPPORTED', `${where}: ${reason}${at}${excerpt(pattern, pos)}`);
}

/** A short view of the pattern from `pos`, so the user can find the spot in a long filter regex. */
function excerpt(pattern: string, pos: number | undefined): string {
  const chars = Array.from(pattern);
  if (pos === undefined) {
    return chars.length <= 60 ? `: ${JSON.stringify(pattern)}` : `: ${JSON.stringify(chars.slice(0, 60).join(''))}…`;
  }
  const from = Math.max(0, pos - 10);
  const text = chars.slice(from, pos + 40).join('');
  return `: ${from > 0 ? '…' : ''}${JSON.stringify(text)}${pos + 40 < chars.length ? '…' : ''}`;
}

/** Value of a Python group in a JS match: the first of its JS captures that participated. */
export function groupValue(m: RegExpExecArray, js: readonly number[] | undefined): string | undefined {
  if (js === undefined) return undefined;
  for (let i = 0; i < js.length; i++) {
    const v = m[js[i]!];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Literal strings such that any text the pattern can match (with re.search) contains at least one
 * of them; null when no such set can be derived. Used to skip lines that cannot match.
 * Case-sensitive; parts under IGNORECASE contribute nothing.
 */
export function requiredLiterals(pattern: string, opts: TranslateOptions = {}): string[] | null {
  return literalsOf(analyse(pattern, opts).model);
}

/**
 * For a pattern anchored at the start of the text: which first characters a match can have
 * (index 0..127 ASCII, 128 any other); null when it can start anywhere or match empty.
 */
export function firstChars(pattern: string, opts: TranslateOptions = {}): FirstChars | null {
  return firstCharsOf(analyse(pattern, opts).model);
}

/** Python group names of a pattern, in order of definition (validates its syntax). */
export function groupNames(pattern: string, opts: TranslateOptions = {}): string[] {
  return [...analyse(pattern, opts).parsed.names.keys()];
}
