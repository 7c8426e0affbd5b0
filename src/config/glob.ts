/**
 * Expand a logpath pattern like fail2ban (Python's glob.glob): `*`, `?` and `[...]` (with `!`
 * for negation) in any path component; a wildcard does not match a leading "." of a name;
 * results that are dangling links are dropped. Used to report jails without log files; the
 * file sources expand patterns again when a jail starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC_RE = /[*?[]/;

export function hasMagic(p: string): boolean {
  return MAGIC_RE.test(p);
}

export function expandGlob(pattern: string): string[] {
  if (!hasMagic(pattern)) return exists(pattern) ? [pattern] : [];
  const abs = path.isAbsolute(pattern);
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let bases: string[] = [abs ? '/' : ''];
  for (let i = abs ? 1 : 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(part)) {
        next.push(base === '' ? part : path.join(base, part));
        continue;
      }
      const match = componentMatcher(part);
      let names: string[];
      try {
        names = fs.readdirSync(base === '' ? '.' : base);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (match(n)) next.push(base === '' ? n : path.join(base, n));
    }
    bases = next;
  }
  return bases.filter(exists);
}

/**
 * A test for names against one pattern component (fnmatch; a wildcard does not match a leading
 * "."). src/sources/glob.ts walks directories with it too.
 */
export function componentMatcher(part: string): (name: string) => boolean {
  const re = toRegExp(part);
  const dotOk = part.startsWith('.');
  return (name) => (dotOk || !name.startsWith('.')) && re.test(name);
}

/** fnmatch-style translation of one path component. */
function toRegExp(part: string): RegExp {
  let re = '^';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = part.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += '[' + (negate ? '^' : '') + body.replace(/[\\\]^]/g, '\\$&') + ']';
      i = end;
    } else re += escapeChar(c);
  }
  try {
    return new RegExp(re + '$', 's');
  } catch {
    // An impossible class such as [z-a]: match the component literally, like no file at all.
    return new RegExp('^' + [...part].map(escapeChar).join('') + '$', 's');
  }
}

function escapeChar(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function exists(p: string): boolean {
  return fs.existsSync(p);
}
