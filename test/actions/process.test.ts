import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { CommandRunner } from '../../src/actions/commandRunner.js';
import { runProcess } from '../../src/actions/process.js';
import { SerialQueue } from '../../src/actions/serialQueue.js';
import { ManualTimers, RecordingLog, tempDir, until } from './helpers.js';

/** Running (a zombie waiting for a parent that reaps it counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('running a command', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('reports the exit status and the output', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    assert.deepEqual([r.ok, r.code, r.stdout, r.stderr, r.timedOut], [false, 3, 'out\n', 'err\n', false]);
    const ok = await runProcess(['/bin/sh', '-c', 'cat'], { timeoutMs: 10_000, stdin: 'to stdin' });
    assert.deepEqual([ok.ok, ok.stdout], [true, 'to stdin']);
  });

  it('reports a program that cannot start instead of throwing', async () => {
    const r = await runProcess(['/nonexistent/program'], { timeoutMs: 10_000 });
    assert.equal(r.ok, false);
    assert.match(r.spawnError ?? '', /ENOENT/);
  });

  it('keeps only the first bytes of a flood of output', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" x'], { timeoutMs: 10_000, maxOutput: 1000 });
    assert.equal(r.ok, true);
    assert.match(r.stdout, /^x{1000}\n\[299000 more bytes not kept\]$/);
  });

  it('kills the whole process group at the time limit, children included (timers fired by hand)', async () => {
    const timers = new ManualTimers();
    const pidFile = tmp.file('child.pid');
    // the shell starts a child that would outlive it, then waits for ever
    const done = runProcess(['/bin/sh', '-c', `sleep 300 & echo $! > ${pidFile}; wait`], { timeoutMs: 60_000, timers });
    await until(() => tmp.read('child.pid').endsWith('\n'), 'the child to start');
    const child = Number(tmp.read('child.pid'));
    assert.equal(alive(child), true);
    assert.equal(timers.fireNext(), 60_000, 'the time limit is the one asked for');
    const r = await done;
    assert.equal(r.timedOut, true);
    assert.equal(r.ok, false);
    assert.equal(r.signal, 'SIGTERM');
    await until(() => !alive(child), 'the child to die');
    assert.equal(timers.fireNext(), 500, 'SIGKILL follows after the grace period');
  });

  it('sends SIGKILL to a command that ignores SIGTERM', async () => {
    const timers = new ManualTimers();
    const ready = tmp.file('trap.ready');
    const done = runProcess(['/bin/sh', '-c', `trap '' TERM; touch ${ready}; while :; do sleep 1; done`],
      { timeoutMs: 1000, timers, killGraceMs: 50 });
    await until(() => fs.existsSync(ready), 'the trap to be set');
    timers.fireNext();
    let settled = false;
    void done.then(() => { settled = true; });
    // SIGTERM is ignored: the command lives on until the SIGKILL timer fires
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    assert.equal(timers.fireNext(), 50);
    const r = await done;
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
  });

  it('does not wait for a background process that keeps the output open', async () => {
    const pidFile = tmp.file('bg.pid');
    const r = await runProcess(['/bin/sh', '-c', `sleep 300 & echo $! > ${pidFile}`], { timeoutMs: 10_000 });
    assert.equal(r.ok, true);
    process.kill(Number(tmp.read('bg.pid')), 'SIGKILL');
  });

  it('stops a hanging action command with a real short time limit', async () => {
    const log = new RecordingLog();
    const runner = new CommandRunner({ queue: new SerialQueue(), log, killGraceMs: 50 });
    const started = Date.now();
    const r = await runner.run({ script: 'sleep 30', args: [] }, 0.2, '[j] act actionban');
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - started < 10_000);
    assert.ok(log.has(/^ERROR error LJ622: .*\[j\] act actionban: "sleep 30" still ran after 0.2 s/), log.messages.join('\n'));
  });
});

describe('the command queue', () => {
  it('runs jobs one at a time in the order given', async () => {
    const q = new SerialQueue();
    const events: string[] = [];
    const gates: (() => void)[] = [];
    const job = (name: string) => () => new Promise<string>((resolve) => {
      events.push('start ' + name);
      gates.push(() => { events.push('end ' + name); resolve(name); });
    });
    const a = q.run(job('a'));
    const b = q.run(job('b'));
    const c = q.run(async () => { throw new Error('c fails'); });
    const d = q.run(job('d'));
    await until(() => gates.length === 1, 'a to start');
    assert.equal(q.length, 4);
    gates[0]!();
    assert.equal(await a, 'a');
    await until(() => gates.length === 2, 'b to start');
    assert.deepEqual(events, ['start a', 'end a', 'start b']);
    gates[1]!();
    await assert.rejects(c, /c fails/);
    await until(() => gates.length === 3, 'd to start');
    gates[2]!();
    assert.deepEqual([await b, await d], ['b', 'd']);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start d', 'end d']);
  });

  it('is shared by all runners by default, so two actions never run commands at once', async () => {
    const tmp = tempDir();
    try {
      const fifo = tmp.file('gate');
      await new Promise<void>((resolve, reject) => {
        // mkfifo through the shell: node has no mkfifo
        void runProcess(['mkfifo', fifo], { timeoutMs: 10_000 }).then((r) => (r.ok ? resolve() : reject(new Error(r.stderr))));
      });
      const first = new CommandRunner();
      const second = new CommandRunner();
      const seen = tmp.file('seen');
      const a = first.run({ script: `read x < ${fifo}; if [ -e ${tmp.file('b')} ]; then echo overlap > ${seen}; fi`, args: [] }, 30);
      const b = second.run({ script: `touch ${tmp.file('b')}`, args: [] }, 30);
      // open the fifo's writing end: this waits until the first command reads, then lets it go
      await fs.promises.writeFile(fifo, 'go\n');
      assert.equal((await a).ok, true);
      assert.equal((await b).ok, true);
      assert.equal(fs.existsSync(tmp.file('b')), true);
      assert.equal(tmp.read('seen'), '', 'the second command ran while the first was still running');
    } finally {
      tmp.remove();
    }
  });
});
