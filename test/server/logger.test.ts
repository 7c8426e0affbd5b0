import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, parseLevel } from '../../src/server/logger.js';

test('lines below the level are dropped; a file target is reopened after a rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-log-'));
  try {
    const file = join(dir, 'logjail.log');
    const log = new Logger(file, 'NOTICE');
    log.info('not shown');
    log.notice('[sshd] Ban 192.0.2.1');
    renameSync(file, file + '.1');
    log.reopen();
    log.warn('after the rotation');
    log.close();
    assert.match(readFileSync(file + '.1', 'utf8'), /NOTICE  \[sshd\] Ban 192\.0\.2\.1\n$/);
    assert.doesNotMatch(readFileSync(file + '.1', 'utf8'), /not shown/);
    assert.match(readFileSync(file, 'utf8'), /WARNING after the rotation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a value with a newline cannot forge a second log line', () => {
  const lines: string[] = [];
  const log = new Logger('STDERR', 'CRITICAL');
  log.tap = (_l, line) => lines.push(line);
  log.critical('user bob\n2026-01-01 logjail: NOTICE [sshd] Ban 1.2.3.4');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /\n/);
});

test('levels by name or number; a bad one is a configuration error', () => {
  assert.equal(parseLevel('info'), 20);
  assert.equal(parseLevel('25'), 25);
  assert.throws(() => parseLevel('LOUD'), /LJ109/);
});
