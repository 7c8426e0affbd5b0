/**
 * Glob expansion without blocking the event loop, with the semantics of Python's glob.glob (and
 * of src/config/glob.ts, which reports missing logs at configuration time and whose name matcher
 * this uses): `*`, `?`, `[...]` (`[!...]` negated) in any path component; a wildcard does not
 * match a leading "."; results that do not exist (dangling links) are dropped; sorted.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { componentMatcher, hasMagic } from '../config/glob.js';

export { componentMatcher, hasMagic };

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

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
