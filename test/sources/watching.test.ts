/**
 * The backends with real file-system events (bounded waits), the poller with hand-driven
 * timers, and the event loop staying free while a big file is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { FileSource } from '../../src/sources/fileSource.js';
import { Poller } from '../../src/sources/watch.js';
import { ManualTimers, Recorder, numbered, numbers, tempDir } from './helpers.js';

test('inotify: a file that does not exist yet is followed as soon as it is created', async () => {
  const t = tempDir();
  try {
    const p = t.file('later.log');
    const rec = new Recorder();
    const src = new FileSource({ path: p, sink: rec.sink, onEvent: rec.onEvent, backend: 'inotify' });
    await src.start();
    assert.deepEqual(rec.kinds(), ['missing']);
    writeFileSync(p, 'first\n');
    await rec.until(() => rec.lines.length === 1, 5000, 'the first line');
    appendFileSync(p, 'second\n');
    await rec.until(() => rec.lines.length === 2, 5000, 'the second line');
    assert.deepEqual(rec.lines, ['first', 'second']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('inotify: a file in a directory that does not exist yet is followed once both appear', async () => {
  const t = tempDir();
  const timers = new ManualTimers();
  try {
    const p = t.file('sub/app.log');
    const rec = new Recorder();
    const src = new FileSource({ path: p, sink: rec.sink, onEvent: rec.onEvent, backend: 'inotify', timers });
    await src.start();
    assert.ok(timers.pending >= 1, 'a retry of the directory watch is scheduled');
    mkdirSync(t.file('sub'));
    // the retry (back-off from 0.2 s) sets the watch up and looks once
    timers.advance(200);
    await src.check();
    writeFileSync(p, 'hello\n');
    await rec.until(() => rec.lines.length === 1, 5000, 'the line');
    assert.deepEqual(rec.lines, ['hello']);
    assert.deepEqual(rec.kinds(), ['missing', 'opened:start']);
    await src.close();
    assert.equal(timers.pending, 0, 'close cancels every timer');
  } finally {
    t.remove();
  }
});

test('polling: the file is looked at on each tick of the injected timer, and only then', async () => {
  const t = tempDir();
  const timers = new ManualTimers();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'one\n');
    const rec = new Recorder();
    const src = new FileSource({ path: p, sink: rec.sink, backend: 'polling', pollInterval: 1000, timers });
    await src.start();
    appendFileSync(p, 'two\n');
    timers.advance(999);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rec.lines, ['one']);
    timers.advance(1);
    await src.check();
    assert.deepEqual(rec.lines, ['one', 'two']);
    await src.close();
    assert.equal(timers.pending, 0);
  } finally {
    t.remove();
  }
});

test('the poller never runs two ticks at once and stops cleanly', async () => {
  const timers = new ManualTimers();
  let running = 0;
  let most = 0;
  let ticks = 0;
  const release: (() => void)[] = [];
  const poller = new Poller(timers, 100, () => {
    ticks++;
    running++;
    most = Math.max(most, running);
    return new Promise<void>((r) => release.push(() => { running--; r(); }));
  });
  poller.start();
  timers.advance(100);
  timers.advance(1000);
  assert.equal(ticks, 1, 'the next tick waits for the previous one');
  release.shift()!();
  await new Promise((r) => setImmediate(r));
  timers.advance(100);
  assert.equal(ticks, 2);
  poller.stop();
  release.shift()!();
  await new Promise((r) => setImmediate(r));
  timers.advance(10_000);
  assert.equal(ticks, 2);
  assert.equal(most, 1);
  assert.equal(timers.pending, 0);
});

test('reading a big file leaves the event loop free between blocks', async () => {
  const t = tempDir();
  try {
    const p = t.file('big.log');
    writeFileSync(p, numbered(1, 200_000)); // about 2.5 MB
    let pieces = 0;
    let piecesWhenTimerRan = -1;
    const src = new FileSource({ path: p, backend: 'none', blockSize: 64 * 1024, sink: () => void pieces++ });
    // a timer due right away must not wait for the whole file
    setTimeout(() => (piecesWhenTimerRan = pieces), 0);
    await src.start();
    assert.ok(pieces > 20);
    assert.ok(piecesWhenTimerRan >= 0 && piecesWhenTimerRan < pieces, `timer ran after ${piecesWhenTimerRan} of ${pieces} pieces`);
    await src.close();
  } finally {
    t.remove();
  }
});

test('many writes in a burst are read in few looks, every line once', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, '');
    const rec = new Recorder();
    const src = new FileSource({ path: p, sink: rec.sink, backend: 'inotify' });
    await src.start();
    for (let i = 1; i <= 2000; i++) appendFileSync(p, `line ${i}\n`);
    await rec.until(() => rec.lines.length === 2000, 5000, 'all lines');
    assert.deepEqual(numbers(rec.lines), Array.from({ length: 2000 }, (_, i) => i + 1));
    assert.ok(rec.pieces.length < 100, `${rec.pieces.length} pieces for 2000 writes`);
    await src.close();
  } finally {
    t.remove();
  }
});
