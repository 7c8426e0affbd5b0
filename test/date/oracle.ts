/**
 * Runs the same date-detection cases through fail2ban (oracle.py, python3) and through logjail,
 * so tests can compare them line by line.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDateDetector, createLocalZone } from '../../src/filter/date/index.js';
import { daysFromCivil } from '../../src/filter/date/civil.js';
import { translate } from '../../src/filter/pyregex/index.js';

export interface OracleCase {
  /** TZ of the run; null = TZ unset (/etc/localtime). */
  readonly tz: string | null;
  /** "now" in epoch seconds (MyTime.setTime). */
  readonly now: number;
  readonly pattern: string | null;
  readonly timezone: string | null;
  readonly lines: readonly string[];
}

/** Per line: [start, end, time] (code points); see oracle.py. */
export type LineResult = [number | string | null, number | null, number | string | null];

export interface CaseResult {
  readonly names?: string[];
  readonly order?: [string, number][];
  readonly results?: LineResult[];
  readonly error?: string;
}

const ORACLE = fileURLToPath(new URL('../../../test/date/oracle.py', import.meta.url));

/** A python3 that can import the installed fail2ban, or null. */
export function findPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import sys; sys.path.insert(0, "/usr/lib/python3/dist-packages"); import fail2ban'],
      { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

export function runOracle(python: string, cases: readonly OracleCase[]): CaseResult[] {
  const r = spawnSync(python, [ORACLE], {
    input: JSON.stringify({ cases }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`oracle.py failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as CaseResult[];
  // fail2ban names %Exk / %Exl "Ex%k" / "Ex%l" or "%Exk" / "%Exl" depending on the process's string
  // hash seed (it fills its name table from a set); logjail always uses the latter.
  const fix = (n: string): string => n.replace(/Ex%([kl])/g, '%Ex$1');
  return out.map((c) => (c.names === undefined ? c : {
    ...c, names: c.names.map(fix), order: c.order!.map(([n, h]): [string, number] => [fix(n), h]),
  }));
}

/** Number of code points in s[0, unit) (fail2ban reports Python string indices). */
function cp(s: string, unit: number): number {
  return Array.from(s.slice(0, unit)).length;
}

const RESET_WALL = daysFromCivil(2000, 1, 15) * 86400 + 12 * 3600;

export function runLogjail(cases: readonly OracleCase[]): CaseResult[] {
  const zones = new Map<string, ReturnType<typeof createLocalZone>>();
  return cases.map((c): CaseResult => {
    const key = c.tz ?? '\0';
    let zone = zones.get(key);
    if (zone === undefined) {
      zone = createLocalZone(c.tz);
      zones.set(key, zone);
    }
    zone.fromWall(RESET_WALL); // same remembered offset as oracle.py after its TZ switch
    let d;
    try {
      d = createDateDetector({ pattern: c.pattern ?? undefined, timezone: c.timezone ?? undefined, localZone: zone });
    } catch (e) {
      return { error: String(e) };
    }
    const names = d.stats.map((t) => t.name);
    const results = c.lines.map((line): LineResult => {
      if (!d.find(line)) return [null, null, null];
      const s = cp(line, d.start);
      const e = cp(line, d.end);
      if (s === e) return [s, e, 'empty'];
      const t = d.time(line, c.now);
      return [s, e, t === null && d.dropLine ? 'raise' : t];
    });
    return { names, order: d.templates.map((t) => [t.name, t.hits]), results };
  });
}

function same(a: LineResult, b: LineResult): boolean {
  const ta = typeof a[2] === 'string' && a[2].startsWith('raise') ? 'raise' : a[2];
  const tb = typeof b[2] === 'string' && b[2].startsWith('raise') ? 'raise' : b[2];
  // An empty date leaves the line whole wherever it was "found" (fail2ban even reports -1).
  if (ta === 'empty' && tb === 'empty') return true;
  return a[0] === b[0] && a[1] === b[1] && ta === tb;
}

/** Human-readable differences between fail2ban's and logjail's results (empty when equal). */
export function differences(cases: readonly OracleCase[], want: CaseResult[], got: CaseResult[], limit = 20): string[] {
  const out: string[] = [];
  cases.forEach((c, i) => {
    const w = want[i]!;
    const g = got[i]!;
    const label = `[tz=${c.tz} pattern=${JSON.stringify(c.pattern)} timezone=${c.timezone}]`;
    if (w.error !== undefined || g.error !== undefined) {
      if ((w.error === undefined) !== (g.error === undefined)) out.push(`${label} error: fail2ban ${w.error} / logjail ${g.error}`);
      return;
    }
    if (JSON.stringify(w.names) !== JSON.stringify(g.names)) {
      out.push(`${label} template names differ:\n  fail2ban ${JSON.stringify(w.names)}\n  logjail  ${JSON.stringify(g.names)}`);
    }
    c.lines.forEach((line, j) => {
      const a = w.results![j]!;
      const b = g.results![j]!;
      if (!same(a, b)) out.push(`${label} line ${j} ${JSON.stringify(line.slice(0, 120))}: fail2ban ${JSON.stringify(a)} logjail ${JSON.stringify(b)}`);
    });
    if (JSON.stringify(w.order) !== JSON.stringify(g.order)) {
      out.push(`${label} final template order/hits differ:\n  fail2ban ${JSON.stringify(w.order)}\n  logjail  ${JSON.stringify(g.order)}`);
    }
  });
  return out.slice(0, limit);
}

/** True while src/filter/pyregex still has its placeholder (it reports no group numbers). */
export function translatorIsPlaceholder(): boolean {
  return translate('(a)').numbered.length <= 1;
}

/** Distinct `datepattern` values of the installed stock filters, with the filters using each. */
export function stockPatterns(python: string): [string, string[]][] {
  const r = spawnSync(python, [ORACLE], { input: JSON.stringify({ stockPatterns: true }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oracle.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as [string, string[]][];
}
