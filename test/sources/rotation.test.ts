/**
 * Rotation under a steady write load: a writer appends numbered lines while the file is
 * rotated again and again; every line must arrive exactly once and in order.
 *
 * copytruncate has a window no reader can close: lines appended after the reader's last look
 * and before the truncation are only in the copy (which is not followed). Those tests assert
 * that every missing line lies in such a window and that nothing else is missing, doubled or
 * out of order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, openSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { FileSource } from '../../src/sources/fileSource.js';
import type { FileBackend } from '../../src/sources/watch.js';
import { ManualTimers, Recorder, numbered, numbers, tempDir } from './helpers.js';

type Style = 'syslog' | 'renameCreate' | 'deleteRecreate' | 'copytruncate';

/** At least this many lines and ROTATIONS rotations, then half a rotation's worth more. */
const TOTAL = 3000;
const ROTATIONS = 4;
const PER_TICK = 3;
const ROTATE_EVERY = 600;
/** Lines a syslog-like writer still writes to the renamed file before it reopens. */
const AFTER_RENAME = 25;
const POLL = 1000;

interface Outcome {
  lines: number[];
  total: number;
  /** copytruncate: (delivered before the copy, written when the truncation was done] */
  windows: [number, number][];
}

async function run(backend: FileBackend, style: Style): Promise<Outcome> {
  const t = tempDir();
  const p = t.file('app.log');
  writeFileSync(p, '');
  const rec = new Recorder();
  const manual = backend === 'polling' ? new ManualTimers() : null;
  const src = new FileSource({
    path: p, sink: rec.sink, onEvent: rec.onEvent, backend, linger: 200, pollInterval: POLL,
    ...(manual !== null ? { timers: manual } : {}),
  });
  await src.start();
  const windows: [number, number][] = [];
  let fd = style === 'syslog' ? openSync(p, 'a') : -1;
  let reopenAt = -1;
  let rotation = 0;
  let nextRotation = ROTATE_EVERY;
  let n = 0;
  const lastDelivered = (): number => numbers(rec.lines.slice(-1))[0] ?? 0;
  const write = (text: string): void => {
    if (fd >= 0) writeSync(fd, text);
    else appendFileSync(p, text);
  };
  try {
    let tick = 0;
    let end = Infinity;
    while (n < end) {
      write(numbered(n + 1, n + PER_TICK));
      n += PER_TICK;
      if (n === reopenAt) {
        // the writer is told to reopen (logrotate's postrotate)
        closeSync(fd);
        fd = openSync(p, 'a');
      }
      // a file is rotated away only once the source has opened it: a real log lives for hours, not
      // for the few milliseconds this writer needs (a file created and rotated away between two
      // looks is never seen)
      if (n >= nextRotation && end === Infinity && src.positions()[0]?.inode === statSync(p).ino) {
        nextRotation = n + ROTATE_EVERY;
        const old = t.file(`app.log.${++rotation}`);
        if (style === 'syslog') {
          renameSync(p, old);
          closeSync(openSync(p, 'a'));
          reopenAt = n + AFTER_RENAME - (AFTER_RENAME % PER_TICK);
        } else if (style === 'renameCreate') {
          renameSync(p, old);
          writeFileSync(p, '');
        } else if (style === 'deleteRecreate') {
          rmSync(p);
        } else {
          const before = lastDelivered();
          copyFileSync(p, old);
          truncateSync(p, 0);
          windows.push([before, n]);
        }
      }
      if (end === Infinity && rotation >= ROTATIONS && n >= TOTAL) end = n + ROTATE_EVERY / 2;
      if (manual !== null && ++tick % 5 === 0) manual.advance(POLL);
      await new Promise((r) => setImmediate(r));
    }
    if (fd >= 0) closeSync(fd);
    if (manual !== null) {
      for (let i = 0; i < 20 && lastDelivered() !== n; i++) {
        manual.advance(POLL);
        await src.check();
      }
    } else {
      await rec.until(() => lastDelivered() === n, 10_000, `line ${n}`);
    }
    return { lines: numbers(rec.lines), total: n, windows };
  } finally {
    await src.close();
    t.remove();
  }
}

function assertExactlyOnceInOrder(o: Outcome): void {
  const seen = new Map<number, number>();
  for (const x of o.lines) seen.set(x, (seen.get(x) ?? 0) + 1);
  const missing: number[] = [];
  for (let k = 1; k <= o.total; k++) if (!seen.has(k)) missing.push(k);
  const twice = [...seen].filter(([, c]) => c > 1).map(([k]) => k);
  const disorder = o.lines.findIndex((x, i) => i > 0 && x <= o.lines[i - 1]!);
  assert.deepEqual({ missing: missing.slice(0, 20), twice: twice.slice(0, 20), firstOutOfOrder: disorder === -1 ? null : o.lines.slice(disorder - 2, disorder + 3) },
    { missing: [], twice: [], firstOutOfOrder: null });
  assert.equal(o.lines.length, o.total);
}

function assertOnlyCopytruncateLosses(o: Outcome): void {
  for (let i = 1; i < o.lines.length; i++) {
    assert.ok(o.lines[i]! > o.lines[i - 1]!, `in order and once: ${o.lines[i - 1]} then ${o.lines[i]}`);
  }
  assert.ok(o.lines.every((x) => Number.isInteger(x) && x >= 1 && x <= o.total), 'only whole lines');
  const got = new Set(o.lines);
  for (let k = 1; k <= o.total; k++) {
    if (got.has(k)) continue;
    assert.ok(o.windows.some(([from, to]) => k > from && k <= to), `line ${k} lost outside a copytruncate window ${JSON.stringify(o.windows)}`);
  }
  assert.equal(o.lines.at(-1), o.total);
  assert.ok(o.windows.length >= ROTATIONS);
}

for (const backend of ['inotify', 'auto', 'polling'] as const) {
  test(`${backend}: rename and create with a writer that reopens late delivers every line once and in order`, async () => {
    assertExactlyOnceInOrder(await run(backend, 'syslog'));
  });

  test(`${backend}: rename and create with a writer that opens the file for each write delivers every line once and in order`, async () => {
    assertExactlyOnceInOrder(await run(backend, 'renameCreate'));
  });

  test(`${backend}: delete and re-create delivers every line once and in order`, async () => {
    assertExactlyOnceInOrder(await run(backend, 'deleteRecreate'));
  });

  test(`${backend}: copytruncate loses at most lines written between the last look and the truncation, nothing twice`, async () => {
    assertOnlyCopytruncateLosses(await run(backend, 'copytruncate'));
  });
}

test('restart under load: stopped while lines are written and the file rotated, the next source resumes from the state: every line once and in order', async () => {
  const t = tempDir();
  const p = t.file('app.log');
  writeFileSync(p, '');
  const recA = new Recorder();
  const recB = new Recorder();
  const a = new FileSource({ path: p, sink: recA.sink, backend: 'inotify', linger: 200 });
  let b: FileSource | null = null;
  try {
    await a.start();
    let n = 0;
    const writeTicks = async (until: number): Promise<void> => {
      while (n < until) {
        appendFileSync(p, numbered(n + 1, n + PER_TICK));
        n += PER_TICK;
        await new Promise((r) => setImmediate(r));
      }
    };
    await writeTicks(600);
    await recA.until(() => recA.lines.length > 0, 10_000, 'a first line');
    await writeTicks(999);
    // stopped in the middle of the stream: what it has not read yet is read by the next one
    await a.close();
    const state = a.positions()[0]!;
    await writeTicks(1200);
    renameSync(p, t.file('app.log.1'));
    await writeTicks(1500);
    b = new FileSource({ path: p, sink: recB.sink, onEvent: recB.onEvent, backend: 'inotify', linger: 200, resume: state });
    await b.start();
    assert.deepEqual(recB.kinds().slice(0, 1), ['opened:rotatedWhileDown']);
    await writeTicks(1800);
    renameSync(p, t.file('app.log.2'));
    await writeTicks(2100);
    await recB.until(() => numbers(recB.lines).at(-1) === 2100, 10_000, 'line 2100');
    assertExactlyOnceInOrder({ lines: numbers([...recA.lines, ...recB.lines]), total: 2100, windows: [] });
    assert.ok(recA.lines.length > 0 && recB.lines.length > 1000, `${recA.lines.length} lines before the stop, ${recB.lines.length} after`);
  } finally {
    await a.close();
    await b?.close();
    t.remove();
  }
});
