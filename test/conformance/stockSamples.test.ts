/**
 * Conformance with fail2ban 1.0.2: every annotated line of every stock filter's sample log,
 * for each option set, through logjail's engine with fail2ban's own filter files (read from the
 * installed package at test time). Lines that do not pass yet are listed, with the reason, in
 * stock-known-failures.json; the test fails when a listed line starts passing or a new one fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, mkdtempSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalZone } from '../../src/filter/date/index.js';
import { runSamples, TEST_TZ, type SampleOutcome } from './sampleRunner.js';

const F2B = '/usr/lib/python3/dist-packages/fail2ban';
const LOGS = join(F2B, 'tests', 'files', 'logs');
const CONFIG = '/etc/fail2ban';
const here = dirname(fileURLToPath(import.meta.url));
// the list lives next to the sources (dist/test/conformance → test/conformance)
const KNOWN_FILE = join(here, '..', '..', '..', 'test', 'conformance', 'stock-known-failures.json');
const installed = existsSync(LOGS) && existsSync(join(CONFIG, 'filter.d'));

interface Known { readonly key: string; readonly reason: string }

test('every annotated line of fail2ban\'s stock sample logs gives fail2ban\'s verdict', { skip: !installed && 'fail2ban is not installed' }, () => {
  const zone = createLocalZone(TEST_TZ);
  const names = readdirSync(join(CONFIG, 'filter.d'))
    .filter((f) => f.endsWith('.conf') && !f.endsWith('common.conf'))
    .map((f) => f.slice(0, -5)).sort();
  const all: SampleOutcome[] = [];
  let checked = 0;
  const lines = new Set<string>();
  for (const name of names) {
    try {
      const r = runSamples({ configDir: CONFIG, name, logsDir: LOGS, zone });
      all.push(...r.outcomes);
      checked += r.checked;
      for (const l of r.lines) lines.add(l);
    } catch (e) {
      all.push({ key: `${name} (filter)`, ok: false, reason: `cannot run: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  // fail2ban's own test filters (zzz-*) include common.conf through a path seven folders up:
  // give them a tree where that path exists.
  const tmp = mkdtempSync(join(tmpdir(), 'logjail-zzz-'));
  try {
    const deep = join(tmp, 'a', 'b', 'c', 'd', 'e', 'f');
    mkdirSync(join(deep, 'filter.d'), { recursive: true });
    symlinkSync(CONFIG, join(tmp, 'config'));
    for (const z of readdirSync(join(F2B, 'tests', 'config', 'filter.d')).filter((f) => f.startsWith('zzz-') && f.endsWith('.conf'))) {
      symlinkSync(join(F2B, 'tests', 'config', 'filter.d', z), join(deep, 'filter.d', z));
      const r = runSamples({ configDir: deep, name: z.slice(0, -5), logsDir: LOGS, zone });
      all.push(...r.outcomes);
      checked += r.checked;
      for (const l of r.lines) lines.add(l);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const failing = new Map(all.filter((o) => !o.ok).map((o) => [o.key, o.reason ?? '']));
  const known: Known[] = existsSync(KNOWN_FILE) ? JSON.parse(readFileSync(KNOWN_FILE, 'utf8')) as Known[] : [];
  const knownKeys = new Set(known.map((k) => k.key));
  const unexpected = [...failing].filter(([k]) => !knownKeys.has(k)).map(([k, r]) => `${k}: ${r}`);
  const fixed = known.filter((k) => !failing.has(k.key)).map((k) => k.key);
  const passed = all.filter((o) => o.ok).length;
  process.stdout.write(`# stock samples: ${lines.size} annotated lines, ${checked} checks (line x option set), ${passed} pass, ${failing.size} failing (${known.length} listed as known)\n`);
  assert.deepEqual(unexpected, [], 'lines failing that are not listed in stock-known-failures.json');
  assert.deepEqual(fixed, [], 'listed lines that pass now: remove them from stock-known-failures.json');
});
