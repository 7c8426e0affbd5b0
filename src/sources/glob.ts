/**
 * Glob expansion without blocking the event loop, with the semantics of Python's glob.glob (and
 * of src/config/glob.ts, which reports missing logs at configuration time): `*`, `?`, `[...]`
 * (`[!...]` negated) in any path component; a wildcard does not match a leading "."; results
 * that do not exist (dangling links) are dropped; sorted.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const MAGIC = /[*?[]/;

export function hasMagic(p: string): boolean {
  return MAGIC.test(p);
}

export async function globFiles(pattern: string): Promise<string[]> {
  if (!hasMagic(pattern)) return (await exists(pattern)) ? [pattern] : [];
  const abs = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p) => p !== '');
  let bases: string[] = [abs ? '/' : ''];
  for (const part of parts) {
    const next: string[] = [];
    if (!hasMagic(part)) {
      for (const b of bases) next.push(b === '' ? part : join(b, part));
    } else {
      const match = componentMatcher(part);
      for (const b of bases) {
        let names: string[];
        try {
          names = await readdir(b === '' ? '.' : b);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (match(n)) next.push(b === '' ? n : join(b, n));
      }
    }
    bases = next;
  }
  const out: string[] = [];
  for (const b of bases) if (await exists(b)) out.push(b);
  return out;
}

/** A test for names against one pattern component (fnmatch). */
export function componentMatcher(part: string): (name: string) => boolean {
  const re = toRegExp(part);
  const dotOk = part.startsWith('.');
  return (name) => (dotOk || !name.startsWith('.')) && re.test(name);
}

function toRegExp(part: string): RegExp {
  let re = '^';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = part.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += '[' + (negate ? '^' : '') + body.replace(/[\\\]^]/g, '\\$&') + ']';
      i = end;
    } else re += escape(c);
  }
  try {
    return new RegExp(re + '$', 's');
  } catch {
    // an impossible class such as [z-a] matches nothing but the literal text
    return new RegExp('^' + [...part].map(escape).join('') + '$', 's');
  }
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
