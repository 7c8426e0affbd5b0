/**
 * Every regular expression of every stock fail2ban filter (all option combinations, as fail2ban
 * itself expands and compiles them; see stock_patterns.py) must translate, and must give Python's
 * answer on the sample log lines shipped with fail2ban: match, span and every group.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { translate } from '../../src/filter/pyregex/index.js';
import { PY_MULTILINE, PYTHON, compareResult, pythonSearch, runPython, translateFor, type OracleAnswer } from './oracle.js';

interface StockPattern {
  readonly pattern: string;
  readonly flags: number;
  readonly kind: string;
  readonly filters: readonly string[];
  readonly maxlines: number;
}

interface Stock {
  readonly patterns: readonly StockPattern[];
  readonly samples: Readonly<Record<string, readonly string[]>>;
}

const installed = existsSync('/usr/lib/python3/dist-packages/fail2ban') && existsSync('/etc/fail2ban/filter.d');

/** Subjects as the filter sees them: raw lines (+ "\n"), the line without its first word, and for
 * multi-line filters two and three consecutive lines joined. */
function subjectsFor(p: StockPattern, stock: Stock, everyLine: readonly string[]): string[] {
  const lines = p.filters.includes('*') ? everyLine : p.filters.flatMap((f) => stock.samples[f] ?? []);
  const out: string[] = [];
  for (const l of lines) {
    out.push(l + '\n');
    const sp = l.indexOf(' ');
    if (sp >= 0) out.push(l.slice(sp + 1) + '\n');
  }
  if (p.maxlines > 1) {
    for (let i = 0; i + 1 < lines.length; i++) {
      out.push(`${lines[i]}\n${lines[i + 1]}\n`, `${lines.slice(i, i + 3).join('\n')}\n`);
    }
  }
  return out;
}

describe('stock fail2ban filters', { skip: !installed && 'fail2ban is not installed' }, () => {
  let stock: Stock;
  let subjects: string[][];
  let answers: OracleAnswer[];

  before(() => {
    stock = JSON.parse(runPython('stock_patterns.py', '', PYTHON)) as Stock;
    // Date templates of the default set are tried on every line: use a sample of all logs.
    const everyLine = Object.values(stock.samples).flat().filter((_l, i) => i % 4 === 0);
    subjects = stock.patterns.map((p) => subjectsFor(p, stock, everyLine));
    answers = pythonSearch(stock.patterns.map((p, i) => ({ pattern: p.pattern, flags: p.flags, subjects: subjects[i]! })), PYTHON);
  });

  test('the reference yields the patterns of all filters', () => {
    assert.ok(stock.patterns.length > 500, `only ${stock.patterns.length} patterns`);
    for (const name of ['sshd', 'postfix', 'sendmail-reject', 'courier-auth', 'assp', 'znc-adminlog', 'mongodb-auth']) {
      assert.ok(stock.patterns.some((p) => p.filters.includes(name)), name);
    }
    assert.ok(stock.patterns.some((p) => p.flags & PY_MULTILINE), 'multi-line failregexes');
  });

  test('every pattern translates, in both the Unicode and the ASCII variant', () => {
    const rejected: string[] = [];
    for (const p of stock.patterns) {
      for (const unicode of [true, false]) {
        try {
          translate(p.pattern, { multiline: (p.flags & PY_MULTILINE) !== 0, unicode, context: `filter ${p.filters[0]}` });
        } catch (e) {
          rejected.push((e as Error).message);
        }
      }
    }
    assert.deepEqual(rejected, []);
  });

  test('every pattern gives Python\'s match, span and groups on the sample lines', () => {
    const diffs: string[] = [];
    let matched = 0;
    stock.patterns.forEach((p, i) => {
      const a = answers[i]!;
      assert.ok(!('error' in a), `Python rejects ${p.pattern}`);
      for (const unicode of [true, false]) {
        const c = translateFor(p.pattern, p.flags, { unicode });
        subjects[i]!.forEach((s, j) => {
          if (!unicode && /[^\x00-\x7f]/.test(s)) return;
          const expected = a.results[j]!;
          if (expected !== null && unicode) matched++;
          const diff = compareResult(c, s, expected);
          if (diff !== undefined && diffs.length < 20) diffs.push(`${p.filters[0]} ${p.kind} ${JSON.stringify(s)}: ${diff}`);
        });
      }
    });
    assert.deepEqual(diffs, []);
    assert.ok(matched > 2000, `only ${matched} matches: the samples do not exercise the patterns`);
  });
});
