/**
 * Test helpers: ask Python's `re` (the reference) and the translation the same questions and
 * compare the answers as Python states them: match span and every group, in code points.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { groupValue, translate, type CompiledPattern, type TranslateOptions } from '../../src/filter/pyregex/index.js';

/** The Python fail2ban runs on; the PATH one may differ. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function version(python: string): number[] | undefined {
  const r = spawnSync(python, ['-c', 'import sys; print(*sys.version_info[:3])'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(' ').map(Number) : undefined;
}

/**
 * The Python whose `re` defines the semantics in the generic tests: the newest 3.11 available.
 * 3.11.2 (Debian's) still has possessive-quantifier bugs that later 3.11 releases fixed;
 * the translation follows the fixed behaviour. Tests of constructs those bugs touch ask
 * `referenceFixed` first.
 */
export const REFERENCE_PYTHON = ((): string => {
  const candidates = [...new Set(['python3', PYTHON])]
    .map((p) => ({ p, v: version(p) }))
    .filter((c) => c.v !== undefined && c.v[0] === 3 && c.v[1] === 11)
    .sort((a, b) => b.v![2]! - a.v![2]!);
  return candidates[0]?.p ?? PYTHON;
})();

/** Does the reference Python have the possessive-quantifier fixes of 3.11.5+? */
export const referenceFixed = (version(REFERENCE_PYTHON)?.[2] ?? 0) >= 5;
export const PY_IGNORECASE = 2;
export const PY_MULTILINE = 8;

/** Source files next to the compiled tests (dist/test/pyregex → test/pyregex). */
export function sourcePath(name: string): string {
  return fileURLToPath(new URL(`../../../test/pyregex/${name}`, import.meta.url));
}

export function pythonAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import re'], { encoding: 'utf8' }).status === 0;
}

export interface OracleCase {
  readonly pattern: string;
  readonly flags?: number;
  readonly subjects: readonly string[];
}

/** One search result: span of group 0..n, null for a group that did not take part. */
export type Spans = ([number, number] | null)[];

export type OracleAnswer =
  | { readonly error: string; readonly type: string }
  | { readonly groups: number; readonly names: Record<string, number>; readonly results: (Spans | null)[] };

export function runPython(script: string, input: string, python = REFERENCE_PYTHON): string {
  const r = spawnSync(python, [sourcePath(script)], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return r.stdout;
}

export function pythonSearch(cases: readonly OracleCase[], python = REFERENCE_PYTHON): OracleAnswer[] {
  return JSON.parse(runPython('oracle.py', JSON.stringify(cases), python)) as OracleAnswer[];
}

export function optionsFor(flags: number | undefined): TranslateOptions {
  return {
    ignoreCase: ((flags ?? 0) & PY_IGNORECASE) !== 0,
    multiline: ((flags ?? 0) & PY_MULTILINE) !== 0,
  };
}

/** Code-point offset of each UTF-16 offset of `s` (only differs from it after astral characters). */
function codePointOffsets(s: string): (i: number) => number {
  if (!/[\ud800-\udfff]/.test(s)) return (i) => i;
  const map = new Int32Array(s.length + 1);
  let cp = 0;
  for (let i = 0; i < s.length; i++) {
    map[i] = cp;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      map[i + 1] = cp;
      i++;
    }
    cp++;
  }
  map[s.length] = cp;
  return (i) => map[i]!;
}

/**
 * The translation's answer in the oracle's terms. Groups are compared by value (through
 * groupValue, as callers read them) and, where JavaScript reports one, by span.
 */
export function jsSearch(c: CompiledPattern, subject: string): { spans: Spans; values: (string | undefined)[] } | null {
  const m = c.regex.exec(subject);
  if (m === null) return null;
  const cp = codePointOffsets(subject);
  const spans: Spans = [[cp(m.index), cp(m.index + m[0].length)]];
  const values: (string | undefined)[] = [m[0]];
  for (let g = 1; g < c.numbered.length; g++) {
    const js = c.numbered[g]!;
    const value = groupValue(m, js);
    values.push(value);
    let span: [number, number] | null = null;
    for (const n of js) {
      const at = m.indices?.[n];
      if (at !== undefined && m[n] === value) {
        span = [cp(at[0]), cp(at[1])];
        break;
      }
    }
    spans.push(span);
  }
  return { spans, values };
}

/** Compare one subject's answers; returns a description of the first difference, or undefined. */
export function compareResult(
  c: CompiledPattern, subject: string, expected: Spans | null,
): string | undefined {
  const got = jsSearch(c, subject);
  if (expected === null || got === null) {
    if (expected === null && got === null) return undefined;
    return `python ${expected === null ? 'no match' : 'match ' + JSON.stringify(expected[0])}, js ${got === null ? 'no match' : 'match ' + JSON.stringify(got.spans[0])}`;
  }
  const chars = Array.from(subject);
  for (let g = 0; g < expected.length; g++) {
    const span = expected[g] ?? null;
    const value = span === null ? undefined : chars.slice(span[0], span[1]).join('');
    if (got.values[g] !== value) return `group ${g}: python ${JSON.stringify(value)}, js ${JSON.stringify(got.values[g])}`;
    const jsSpan = got.spans[g];
    if (span !== null && jsSpan !== null && jsSpan !== undefined && (jsSpan[0] !== span[0] || jsSpan[1] !== span[1])) {
      return `group ${g} span: python ${JSON.stringify(span)}, js ${JSON.stringify(jsSpan)}`;
    }
  }
  return undefined;
}

export function translateFor(pattern: string, flags: number | undefined, extra: TranslateOptions = {}): CompiledPattern {
  return translate(pattern, { ...optionsFor(flags), indices: true, ...extra });
}
