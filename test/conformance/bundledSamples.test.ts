/**
 * logjail's own filters (config/filter.d) against their annotated sample logs (samples/logs):
 * every annotation must hold, and every failregex of every mode must have a sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalZone } from '../../src/filter/date/index.js';
import { runSamples, TEST_TZ } from './sampleRunner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CONFIG = join(root, 'config');
const LOGS = join(root, 'samples', 'logs');

for (const name of readdirSync(LOGS).sort()) {
  test(`bundled filter ${name} gives the verdict annotated in its sample log`, () => {
    const r = runSamples({ configDir: CONFIG, name, logsDir: LOGS, zone: createLocalZone(TEST_TZ) });
    const bad = r.outcomes.filter((o) => !o.ok).map((o) => `${o.key}: ${o.reason ?? ''}`);
    assert.deepEqual(bad, []);
    assert.ok(r.lines.size >= 30, `only ${r.lines.size} annotated lines`);
  });
}
