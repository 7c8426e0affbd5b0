/**
 * Where each line of a resolved multi-line value (a failregex list) was written.
 *
 * Values are resolved as a whole, so the line numbers are recovered afterwards: each raw line
 * is expanded on its own and its place is given to the lines it produces. A raw line that is
 * nothing but a reference to another option (`<mdre-<mode>>`, `%(known/failregex)s`) hands its
 * lines the places of that option's own lines. When the counts do not add up (a reference that
 * spans lines, say) every line gets the place of the key.
 */
import type { Place } from '../errors.js';
import type { IniValue } from './ini.js';

export interface TraceSource {
  readonly entry: IniValue;
  readonly section: string;
  readonly key: string;
  /** Resolve one raw line as the whole value would be resolved. */
  expandLine(raw: string): string;
  /** The option a single-reference line points at ("%" for %(x)s, "<" for <x>). */
  follow(kind: '%' | '<', name: string): TraceSource | undefined;
}

const SINGLE_PERCENT_RE = /^%\(([^)]+)\)s$/;
const SINGLE_TAG_RE = /^<(.+)>$/;
const MAX_FOLLOW = 6;

/** One Place per non-empty resolved line; `expected` is the number of such lines. */
export function traceLines(src: TraceSource, expected: number): Place[] {
  const traced = trace(src, 0);
  if (traced !== null && traced.length === expected) return traced;
  const keyPlace = placeOfKey(src);
  return Array.from({ length: expected }, () => keyPlace);
}

function trace(src: TraceSource, depth: number): Place[] | null {
  const out: Place[] = [];
  const raw = src.entry.value.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    let produced: number;
    try {
      produced = countLines(src.expandLine(line));
    } catch {
      return null;
    }
    if (produced === 0) continue;
    if (depth < MAX_FOLLOW) {
      const inner = followed(src, line, depth);
      if (inner !== null && inner.length === produced) { out.push(...inner); continue; }
    }
    const p: Place = { ...placeOfKey(src), line: src.entry.lines[i] ?? src.entry.line };
    for (let k = 0; k < produced; k++) out.push(p);
  }
  return out;
}

function followed(src: TraceSource, line: string, depth: number): Place[] | null {
  const pm = SINGLE_PERCENT_RE.exec(line);
  const tm = pm === null ? SINGLE_TAG_RE.exec(line) : null;
  const target = pm !== null ? src.follow('%', pm[1]!) : tm !== null ? src.follow('<', tm[1]!) : undefined;
  return target === undefined ? null : trace(target, depth + 1);
}

function countLines(v: string): number {
  let n = 0;
  for (const l of v.split('\n')) if (l !== '') n++;
  return n;
}

function placeOfKey(src: TraceSource): Place {
  const e = src.entry;
  return e.line > 0 ? { file: e.file, line: e.line, section: src.section, key: src.key } : { section: src.section, key: src.key };
}
