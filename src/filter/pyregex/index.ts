/**
 * Python (fail2ban) regular expressions → JavaScript RegExp, with Python's meaning.
 *
 * INTERFACE (stable; other modules depend on it). The implementation behind it is in this folder.
 */
import { LogjailError } from '../../errors.js';

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

/** Translate a Python pattern; throws LogjailError REGEX_SYNTAX / REGEX_UNSUPPORTED. */
export function translate(pattern: string, opts: TranslateOptions = {}): CompiledPattern {
  // Placeholder until the real translator lands: named groups and back-references only.
  const names: string[] = [];
  const src = pattern
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, (_m, n: string) => { names.push(n); return `(?<${n}>`; })
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>');
  let regex: RegExp;
  try {
    regex = new RegExp(src, (opts.ignoreCase ? 'i' : '') + (opts.multiline ? 'm' : '') + (opts.indices ? 'd' : ''));
  } catch (e) {
    throw new LogjailError('REGEX_SYNTAX', `${opts.context ?? 'pattern'}: ${(e as Error).message}`);
  }
  return { pattern, regex, named: new Map(names.map((n, i) => [n, [i + 1]])), numbered: [[]], names };
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
 */
export function requiredLiterals(_pattern: string, _opts: TranslateOptions = {}): string[] | null {
  return null;
}
