/**
 * The client commands through the real entry point (bin/logjail), in a child process: what an
 * admin's shell sees, exit statuses included.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Running, startServer, tempDir } from './helpers.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'logjail');

interface Run { code: number; out: string; err: string }

/** Asynchronous: the server answering the child runs in this process. */
function logjail(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, TZ: 'UTC', LOGJAIL_SOCKET: '', ...env } }, (e, out, err) => {
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, out, err });
    });
  });
}

let r: Running;
before(async () => { r = await startServer(); });
after(async () => { await r.done(); });

test('logjail --socket PATH status prints the jail list and exits 0', async () => {
  const run = await logjail(['--socket', r.socket, 'status']);
  assert.deepEqual(run, { code: 0, out: 'Status\n|- Number of jail:\t2\n`- Jail list:\tsshd, postfix\n', err: '' });
});

test('logjail status JAIL --json prints one JSON document', async () => {
  const run = await logjail(['status', 'sshd', '--json', '-s', r.socket]);
  assert.equal(run.code, 0, run.err);
  assert.equal((JSON.parse(run.out) as { name: string }).name, 'sshd');
});

test('a daemon that is not running: exit 69, the reason and how to start it, no stack trace', async () => {
  const t = tempDir();
  try {
    const run = await logjail(['ping'], { LOGJAIL_SOCKET: path.join(t.dir, 'absent.sock') });
    assert.equal(run.code, 69);
    assert.equal(run.out, '');
    assert.match(run.err, /^error LJ672: the logjail daemon is not reachable: there is no control socket at \S+absent\.sock\n  hint: start it with/);
    assert.doesNotMatch(run.err, /\n\s+at /);
  } finally {
    t.remove();
  }
});

test('bad usage exits 64 and an unknown jail exits 1', async () => {
  const usage = await logjail(['--socket', r.socket, 'ban', 'sshd']);
  assert.equal(usage.code, 64);
  assert.match(usage.err, /LJ671/);
  const unknown = await logjail(['--socket', r.socket, 'get', 'nosuch', 'bantime']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /LJ660/);
});
