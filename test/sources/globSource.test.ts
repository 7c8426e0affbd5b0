import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { GlobSource } from '../../src/sources/globSource.js';
import { globFiles } from '../../src/sources/glob.js';
import { expandGlob } from '../../src/config/glob.js';
import { ManualTimers, Recorder, numbered, tempDir } from './helpers.js';

test('glob expansion matches the configuration-time expansion (hidden files, classes, dangling links, sorted)', async () => {
  const t = tempDir();
  try {
    mkdirSync(t.file('sub1'));
    mkdirSync(t.file('sub2'));
    for (const n of ['a.log', 'b.log', '.hidden.log', 'c.txt', 'x1.log', 'x2.log', 'xa.log', 'sub1/s.log', 'sub2/s.log', 'sub2/t.log']) writeFileSync(t.file(n), '');
    symlinkSync(t.file('gone'), t.file('dangling.log'));
    for (const pat of ['*.log', '.*.log', 'x[0-9].log', 'x[!0-9].log', '?.log', 'sub*/s.log', 'sub*/*.log', 'none*.log', 'a.log', 'nothing.log', '[z-a].log']) {
      const pattern = t.file(pat);
      assert.deepEqual(await globFiles(pattern), expandGlob(pattern), pat);
    }
  } finally {
    t.remove();
  }
});

test('a glob follows every matching file and a file that starts to match later, read from its start', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('a.log'), numbered(1, 2, 'a'));
    writeFileSync(t.file('b.log'), numbered(1, 1, 'b'));
    writeFileSync(t.file('c.txt'), 'not followed\n');
    const rec = new Recorder();
    const timers = new ManualTimers();
    const src = new GlobSource({ pattern: t.file('*.log'), sink: rec.sink, onEvent: rec.onEvent, backend: 'polling', timers, pollInterval: 1000 });
    await src.start();
    assert.deepEqual(src.paths(), [t.file('a.log'), t.file('b.log')]);
    assert.deepEqual(rec.lines.sort(), ['a 1', 'a 2', 'b 1']);
    writeFileSync(t.file('new.log'), numbered(1, 2, 'new'));
    appendFileSync(t.file('a.log'), numbered(3, 3, 'a'));
    timers.advance(1000);
    await src.check();
    assert.deepEqual(rec.lines.sort(), ['a 1', 'a 2', 'a 3', 'b 1', 'new 1', 'new 2']);
    assert.ok(rec.pieces.filter((p) => p.text.startsWith('new')).every((p) => p.info.path === t.file('new.log')));
    await src.close();
  } finally {
    t.remove();
  }
});

test('with inotify a new matching file is followed without any poll', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('a.log'), '');
    const rec = new Recorder();
    const src = new GlobSource({ pattern: t.file('*.log'), sink: rec.sink, onEvent: rec.onEvent, backend: 'inotify', start: 'tail' });
    await src.start();
    writeFileSync(t.file('later.log'), 'hello\n');
    await rec.until(() => rec.lines.includes('hello'), 5000, 'the new file');
    appendFileSync(t.file('later.log'), 'again\n');
    appendFileSync(t.file('a.log'), 'from a\n');
    await rec.until(() => rec.lines.includes('again') && rec.lines.includes('from a'), 5000, 'more lines');
    assert.deepEqual(rec.events.filter((e) => e.kind === 'added').map((e) => e.path), [t.file('a.log'), t.file('later.log')]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a deleted file is let go once its last lines are read', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('a.log'), numbered(1, 1, 'a'));
    writeFileSync(t.file('b.log'), numbered(1, 1, 'b'));
    const rec = new Recorder();
    const timers = new ManualTimers();
    const src = new GlobSource({ pattern: t.file('*.log'), sink: rec.sink, onEvent: rec.onEvent, backend: 'polling', timers, linger: 0 });
    await src.start();
    appendFileSync(t.file('b.log'), numbered(2, 2, 'b'));
    rmSync(t.file('b.log'));
    timers.advance(1000);
    await src.check();
    assert.ok(rec.lines.includes('b 2'), 'the last line of the deleted file');
    timers.advance(1000);
    await src.check();
    assert.deepEqual(src.paths(), [t.file('a.log')]);
    assert.deepEqual(rec.events.filter((e) => e.kind === 'removed').map((e) => e.path), [t.file('b.log')]);
    assert.deepEqual(src.positions().map((p) => p.path), [t.file('a.log')]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a rotated file that matches the pattern too is not read a second time', async () => {
  const t = tempDir();
  try {
    const p = t.file('app.log');
    writeFileSync(p, numbered(1, 3));
    const rec = new Recorder();
    const timers = new ManualTimers();
    const src = new GlobSource({ pattern: t.file('app.log*'), sink: rec.sink, onEvent: rec.onEvent, backend: 'polling', timers, linger: 500 });
    await src.start();
    appendFileSync(p, numbered(4, 5));
    renameSync(p, t.file('app.log.1'));
    writeFileSync(p, numbered(6, 7));
    for (let i = 0; i < 4; i++) {
      timers.advance(1000);
      await src.check();
    }
    assert.deepEqual(rec.lines, numbered(1, 7).trimEnd().split('\n'));
    assert.deepEqual(src.paths(), [p]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a rotated file that comes to match only after it was let go is recognised by inode and first line', async () => {
  const t = tempDir();
  try {
    const p = t.file('app.log');
    writeFileSync(p, numbered(1, 3));
    const rec = new Recorder();
    const timers = new ManualTimers();
    const src = new GlobSource({ pattern: t.file('app.log*'), sink: rec.sink, onEvent: rec.onEvent, backend: 'polling', timers, linger: 0 });
    await src.start();
    renameSync(p, t.file('old'));
    writeFileSync(p, numbered(4, 4));
    for (let i = 0; i < 3; i++) {
      timers.advance(1000);
      await src.check();
    }
    renameSync(t.file('old'), t.file('app.log.1'));
    // a really new file too, to show that matching files are still picked up
    writeFileSync(t.file('app.log.new'), 'other 1\n');
    for (let i = 0; i < 3; i++) {
      timers.advance(1000);
      await src.check();
    }
    assert.deepEqual(rec.lines, [...numbered(1, 4).trimEnd().split('\n'), 'other 1']);
    assert.deepEqual(src.paths(), [p, t.file('app.log.new')]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('stored positions are used per file', async () => {
  const t = tempDir();
  try {
    writeFileSync(t.file('a.log'), numbered(1, 2, 'a'));
    writeFileSync(t.file('b.log'), numbered(1, 2, 'b'));
    const rec1 = new Recorder();
    const s1 = new GlobSource({ pattern: t.file('*.log'), sink: rec1.sink, backend: 'none' });
    await s1.start();
    const states = new Map(s1.positions().map((s) => [s.path, s]));
    await s1.close();
    appendFileSync(t.file('a.log'), numbered(3, 3, 'a'));
    const rec2 = new Recorder();
    const s2 = new GlobSource({ pattern: t.file('*.log'), sink: rec2.sink, backend: 'none', resume: (p) => states.get(p) });
    await s2.start();
    assert.deepEqual(rec2.lines, ['a 3']);
    await s2.close();
  } finally {
    t.remove();
  }
});
