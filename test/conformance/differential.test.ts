/**
 * Differential test against the reference: `fail2ban-regex -r -o '<ip>\t<time>' LOG FILTER` and
 * logjail's engine, on a generated log, for every stock filter.
 *
 * The log is made at test time from the lines of all stock sample logs (addresses replaced by
 * random documentation addresses, so failures do not just repeat the samples), shuffled
 * together with a generated multi-service syslog; every filter therefore sees its own lines
 * among many that are not for it. Both tools must report the same failures, in the same order,
 * with the same times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFilter } from '../../src/config/index.js';
import { CompiledFilter } from '../../src/filter/compiledFilter.js';
import { createDateDetector, utcZone } from '../../src/filter/date/index.js';
import { Filter } from '../../src/filter/filter.js';
import { LineFeeder } from '../../src/filter/lineFeeder.js';
import { specOf } from '../../src/filter/spec.js';
import { generate, rng } from '../../bench/genSyslog.js';

const run = promisify(execFile);
const LOGS = '/usr/lib/python3/dist-packages/fail2ban/tests/files/logs';
const CONFIG = '/etc/fail2ban';
const installed = existsSync(LOGS) && existsSync('/usr/bin/fail2ban-regex');

function makeLog(seed: number): string {
  const r = rng(seed);
  const lines: string[] = [];
  for (const f of readdirSync(LOGS)) {
    const p = join(LOGS, f);
    if (f.startsWith('.') || !existsSync(p) || f === 'bsd') continue;
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const l = raw.replace(/\r$/, '');
      if (l === '' || l.startsWith('#')) continue;
      lines.push(l.replace(/\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g, () =>
        `${[192, 198, 203][Math.floor(r() * 3)]}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`));
    }
  }
  generate({ lines: 3000, seed }, (l) => lines.push(l));
  // shuffle, keeping runs of 3 lines together so that multi-line filters still see their neighbours
  const runs: string[][] = [];
  for (let i = 0; i < lines.length; i += 3) runs.push(lines.slice(i, i + 3));
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [runs[i], runs[j]] = [runs[j]!, runs[i]!];
  }
  return runs.flat().join('\n') + '\n';
}

/** Times of "now" (a failure without a usable date is reported at the current time) compare equal. */
const started = Date.now() / 1000;
function showTime(t: number | null): string {
  return t === null || Math.abs(t - Date.now() / 1000) < 120 || Math.abs(t - started) < 120 ? 'now' : t.toFixed(1);
}

function logjailRows(name: string, text: string): string[] {
  const d = readFilter(CONFIG, name, {});
  const def = new CompiledFilter(specOf(d), { useDns: 'warn' });
  const now = Date.now() / 1000;
  const filter = new Filter(def, {
    dates: createDateDetector({ pattern: d.datepattern, localZone: utcZone(), clock: () => now }),
    rawHosts: true, checkAllRegex: false, ignorePending: true, clock: () => now, realClock: () => now,
  });
  const rows: string[] = [];
  const feeder = new LineFeeder(filter, {
    skipComments: true,
    onFailures: (fs) => {
      for (const f of fs) {
        if (f.data['nofail'] || f.kind === 'pending') continue;
        const ip = typeof f.data['ip'] === 'string' ? f.data['ip'] : f.id;
        rows.push(`${ip}\t${showTime(f.time)}`);
      }
    },
  });
  feeder.push(text);
  feeder.end();
  return rows;
}

const BIN = new URL('../../../bin/logjail', import.meta.url).pathname;

/** The same through the command as shipped: `logjail regex --out json` (its two-thread pipeline, JSON). */
async function cliRows(name: string, log: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [BIN, 'regex', '--out', 'json', '-r', '-c', CONFIG, log, join(CONFIG, 'filter.d', `${name}.conf`)],
    { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l !== '').map((l) => {
    const o = JSON.parse(l) as { ip: string; time: number };
    return `${o.ip}\t${showTime(o.time)}`;
  });
}

async function fail2banRows(name: string, log: string): Promise<string[]> {
  const { stdout } = await run('fail2ban-regex', ['-r', '-o', '<ip>\t<time>', log, join(CONFIG, 'filter.d', `${name}.conf`)],
    { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [ip, t] = l.split('\t');
    return `${ip}\t${showTime(t === undefined || t === 'None' ? null : Number(t))}`;
  });
}

test('logjail and fail2ban-regex report the same failures on a generated log, for every stock filter', { skip: !installed && 'fail2ban is not installed', timeout: 20 * 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-diff-'));
  try {
    const log = join(dir, 'mixed.log');
    const text = makeLog(2026);
    writeFileSync(log, text);
    const names = readdirSync(join(CONFIG, 'filter.d')).filter((f) => f.endsWith('.conf') && !f.endsWith('common.conf'))
      .map((f) => f.slice(0, -5)).sort();
    const differences: string[] = [];
    let failures = 0;
    const queue = [...names];
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const theirs = await fail2banRows(name, log);
        const ours = logjailRows(name, text);
        const cli = await cliRows(name, log);
        failures += theirs.length;
        for (const [what, rows] of [['logjail', ours], ['logjail regex --out json', cli]] as const) {
          if (rows.join('\n') === theirs.join('\n')) continue;
          const i = rows.findIndex((o, k) => o !== theirs[k]);
          differences.push(`${name}: ${what} ${rows.length} failures, fail2ban ${theirs.length}; first difference at ${i < 0 ? rows.length : i}: ${rows[i] ?? '(none)'} / ${theirs[i < 0 ? rows.length : i] ?? '(none)'}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    process.stdout.write(`# differential: ${names.length} filters, ${text.split('\n').length - 1} lines, ${failures} failures from fail2ban-regex\n`);
    assert.ok(failures > 500, `the generated log must produce failures (${failures})`);
    assert.deepEqual(differences, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
