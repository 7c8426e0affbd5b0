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

test('a log reader that falls behind never blocks the daemon, and no line is lost or reordered', async () => {
  // A child logs 20,000 lines (about 2 MB, far more than a pipe holds) to its stdout while
  // nobody reads the pipe. It must finish logging before anybody reads; then every line
  // arrives, in order.
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const loggerJs = fileURLToPath(new URL('../../src/server/logger.js', import.meta.url));
  const script = `
    import(${JSON.stringify(loggerJs)}).then(({ Logger }) => {
      void process.stdout; // as in the daemon: node makes the stdout pipe non-blocking
      const log = new Logger('STDOUT', 'INFO');
      for (let i = 0; i < 20000; i++) log.info('[sshd] Found 192.0.2.1 - line ' + i + ' ' + 'x'.repeat(60));
      process.stderr.write('logged\\n');
      setTimeout(() => log.close(), 50);
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  const logged = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    child.stderr.on('data', (d: Buffer) => { if (d.toString().includes('logged')) { clearTimeout(timer); resolve(true); } });
  });
  if (!logged) child.kill('SIGKILL');
  assert.ok(logged, 'the child finished logging before its output was read');
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stdout.resume();
  await new Promise((resolve) => child.on('close', resolve));
  const lines = Buffer.concat(chunks).toString().trim().split('\n');
  assert.equal(lines.length, 20000);
  lines.forEach((l, i) => assert.match(l, new RegExp(`INFO +\\[sshd\\] Found 192\\.0\\.2\\.1 - line ${i} x{60}$`)));
});
