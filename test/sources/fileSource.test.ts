import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, ftruncateSync, openSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { FileSource, type FileSourceOptions } from '../../src/sources/fileSource.js';
import type { FileState } from '../../src/sources/types.js';
import { Recorder, numbered, numbers, tempDir } from './helpers.js';

function source(path: string, rec: Recorder, extra: Partial<FileSourceOptions> = {}): FileSource {
  return new FileSource({ path, sink: rec.sink, onEvent: rec.onEvent, backend: 'none', ...extra });
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

test('complete lines are delivered and a partial last line waits for its end', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'one\ntwo\nthr');
    const rec = new Recorder();
    const src = source(p, rec);
    await src.start();
    assert.deepEqual(rec.lines, ['one', 'two']);
    assert.equal(src.positions()[0]!.pos, 8);
    appendFileSync(p, 'ee\nfour');
    await src.check();
    assert.deepEqual(rec.lines, ['one', 'two', 'three']);
    assert.equal(src.positions()[0]!.pos, 14);
    assert.ok(rec.pieces.every((x) => x.text.endsWith('\n') && x.ascii && x.info.path === p));
    await src.close();
  } finally {
    t.remove();
  }
});

test('reads big files in blocks and hands each block on as whole lines', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 5000));
    const rec = new Recorder();
    const src = source(p, rec, { blockSize: 4096 });
    await src.start();
    assert.deepEqual(numbers(rec.lines), range(1, 5000));
    assert.ok(rec.pieces.length > 10, `several pieces, got ${rec.pieces.length}`);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a UTF-8 character split between two reads arrives whole, and invalid bytes become U+FFFD', async () => {
  const t = tempDir();
  try {
    const p = t.file('u.log');
    const bytes = Buffer.concat([
      Buffer.from('plain\n'),
      Buffer.from('ünïcödé 日本 😀\n'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0x20, 0xc3, 0x0a]), // "bad", invalid byte, space, truncated 2-byte sequence
      Buffer.from('end\n'),
    ]);
    writeFileSync(p, bytes);
    for (const blockSize of [1, 2, 3, 5, 7, 1024]) {
      const rec = new Recorder();
      const src = source(p, rec, { blockSize });
      await src.start();
      assert.deepEqual(rec.lines, ['plain', 'ünïcödé 日本 😀', 'bad\uFFFD \uFFFD', 'end'], `blockSize ${blockSize}`);
      for (const piece of rec.pieces) assert.equal(piece.ascii, !/[^\x00-\x7f]/.test(piece.text), `ascii flag of ${JSON.stringify(piece.text)}`);
      await src.close();
    }
  } finally {
    t.remove();
  }
});

test('a line longer than the cap is cut to its head and the following lines are intact', async () => {
  const t = tempDir();
  try {
    const p = t.file('long.log');
    writeFileSync(p, 'before\n' + 'x'.repeat(10_000));
    const rec = new Recorder();
    const src = source(p, rec, { maxLineBytes: 100, blockSize: 64 });
    await src.start();
    assert.deepEqual(rec.lines, ['before']);
    // the endless line is not buffered: the position stays at its start and memory holds only the head
    assert.equal(src.positions()[0]!.pos, 7);
    appendFileSync(p, 'y'.repeat(5000) + '\nafter\n');
    await src.check();
    assert.deepEqual(rec.lines, ['before', 'x'.repeat(100), 'after']);
    assert.equal(src.positions()[0]!.pos, statSync(p).size);
    const long = rec.events.filter((e) => e.kind === 'longLine');
    assert.equal(long.length, 1);
    assert.deepEqual(long[0], { kind: 'longLine', path: p, offset: 7, bytes: long[0]!.kind === 'longLine' ? long[0]!.bytes : -1 });
    await src.close();
  } finally {
    t.remove();
  }
});

test('the head of a long line is cut before a multi-byte character, not inside it', async () => {
  const t = tempDir();
  try {
    const p = t.file('long.log');
    writeFileSync(p, 'é'.repeat(100) + '\n'); // 200 bytes
    const rec = new Recorder();
    // small reads: the line has to be held back, and that is where the cap applies
    const src = source(p, rec, { maxLineBytes: 51, blockSize: 16 });
    await src.start();
    assert.deepEqual(rec.lines, ['é'.repeat(25)]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('the state holds inode, size, position and the SHA-1 of the first line as fail2ban computes it', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'first line\nsecond\npartial');
    const rec = new Recorder();
    const src = source(p, rec);
    await src.start();
    const st = statSync(p);
    assert.deepEqual(src.positions(), [{
      path: p, inode: st.ino, size: st.size, pos: 18,
      firstLineHash: createHash('sha1').update('first line\n').digest('hex'),
    }]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('an empty file or one without a complete first line has an empty hash', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'no newline yet');
    const rec = new Recorder();
    const src = source(p, rec);
    await src.start();
    assert.equal(src.positions()[0]!.firstLineHash, '');
    appendFileSync(p, '\n');
    await src.check();
    assert.equal(src.positions()[0]!.firstLineHash, createHash('sha1').update('no newline yet\n').digest('hex'));
    assert.deepEqual(rec.lines, ['no newline yet']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a restart resumes from the stored position: lines written while stopped are read once', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 10));
    const rec1 = new Recorder();
    const s1 = source(p, rec1);
    await s1.start();
    appendFileSync(p, numbered(11, 12) + 'line 1');
    await s1.check();
    const state = s1.positions()[0]!;
    await s1.close();
    appendFileSync(p, '3\n' + numbered(14, 20));
    const rec2 = new Recorder();
    const s2 = source(p, rec2, { resume: state });
    await s2.start();
    assert.deepEqual(numbers([...rec1.lines, ...rec2.lines]), range(1, 20));
    assert.deepEqual(rec2.kinds(), ['opened:resume']);
    await s2.close();
  } finally {
    t.remove();
  }
});

test('a stored position wins over tail, and tail without one starts after the last complete line', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 5) + 'line ');
    const rec = new Recorder();
    const s1 = source(p, rec, { start: 'tail' });
    await s1.start();
    assert.deepEqual(rec.lines, []);
    assert.deepEqual(rec.kinds(), ['opened:tail']);
    appendFileSync(p, '6\n');
    await s1.check();
    assert.deepEqual(rec.lines, ['line 6']);
    const state = s1.positions()[0]!;
    await s1.close();
    appendFileSync(p, numbered(7, 8));
    const rec2 = new Recorder();
    const s2 = source(p, rec2, { start: 'tail', resume: state });
    await s2.start();
    assert.deepEqual(rec2.lines, ['line 7', 'line 8']);
    await s2.close();
  } finally {
    t.remove();
  }
});

test('a file replaced while stopped (first line differs) is read from the start', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 10, 'old'));
    const rec1 = new Recorder();
    const s1 = source(p, rec1);
    await s1.start();
    const state = s1.positions()[0]!;
    await s1.close();
    // same inode, new content longer than the old position
    writeFileSync(p, numbered(1, 30, 'new'));
    assert.equal(statSync(p).ino, state.inode);
    const rec2 = new Recorder();
    const s2 = source(p, rec2, { resume: state });
    await s2.start();
    assert.deepEqual(numbers(rec2.lines), range(1, 30));
    assert.deepEqual(rec2.kinds(), ['rotated:replaced', 'opened:start']);
    await s2.close();
    // a new inode with other content, and a tail start mode: still all of it
    rmSync(p);
    writeFileSync(p, numbered(1, 3, 'newer'));
    const rec3 = new Recorder();
    const s3 = source(p, rec3, { resume: state, start: 'tail' });
    await s3.start();
    assert.deepEqual(rec3.lines, ['newer 1', 'newer 2', 'newer 3']);
    await s3.close();
  } finally {
    t.remove();
  }
});

test('a stored position that is not at a line start of the current file is not trusted', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'header\n' + numbered(1, 5));
    const st = statSync(p);
    const state: FileState = { path: p, inode: st.ino, size: st.size, pos: 10, firstLineHash: createHash('sha1').update('header\n').digest('hex') };
    const rec = new Recorder();
    const s = source(p, rec, { resume: state });
    await s.start();
    assert.deepEqual(rec.lines, ['header', ...numbered(1, 5).trimEnd().split('\n')]);
    await s.close();
  } finally {
    t.remove();
  }
});

test('a file rotated while stopped: the old file (found by its inode) is finished, then the new one read', async () => {
  const t = tempDir();
  try {
    const p = t.file('auth.log');
    writeFileSync(p, numbered(1, 10));
    const rec1 = new Recorder();
    const s1 = source(p, rec1);
    await s1.start();
    const state = s1.positions()[0]!;
    await s1.close();
    appendFileSync(p, numbered(11, 15));
    renameSync(p, t.file('auth.log.1'));
    writeFileSync(t.file('auth.log.2.gz'), 'not this one');
    writeFileSync(p, numbered(16, 20));
    const rec2 = new Recorder();
    const s2 = source(p, rec2, { resume: state, linger: 0 });
    await s2.start();
    assert.deepEqual(numbers([...rec1.lines, ...rec2.lines]), range(1, 20));
    assert.deepEqual(rec2.kinds(), ['opened:rotatedWhileDown']);
    assert.ok(rec2.pieces.every((x) => x.info.path === p), 'lines of the rotated file are reported under the logpath');
    await s2.close();
  } finally {
    t.remove();
  }
});

test('a file copied elsewhere and back (new inode, same first line) resumes like fail2ban', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 10));
    const rec1 = new Recorder();
    const s1 = source(p, rec1);
    await s1.start();
    const state = s1.positions()[0]!;
    await s1.close();
    appendFileSync(p, numbered(11, 12));
    copyFileSync(p, t.file('copy'));
    rmSync(p);
    renameSync(t.file('copy'), p);
    assert.notEqual(statSync(p).ino, state.inode);
    const rec2 = new Recorder();
    const s2 = source(p, rec2, { resume: state });
    await s2.start();
    assert.deepEqual(rec2.lines, ['line 11', 'line 12']);
    await s2.close();
  } finally {
    t.remove();
  }
});

test('rename and create: the old file is finished (also what its writer adds after the rename), then the new one', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    const fd1 = openSync(p, 'a');
    writeSync(fd1, numbered(1, 3));
    const rec = new Recorder();
    // a writer such as syslog keeps its descriptor until it is told to reopen
    const { ManualTimers } = await import('./helpers.js');
    const timers = new ManualTimers();
    const src = source(p, rec, { timers, linger: 1000 });
    await src.start();
    renameSync(p, t.file('a.log.1'));
    const fd2 = openSync(p, 'a');
    writeSync(fd1, numbered(4, 5) + 'line 6'); // after the rename, before the reopen
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 5));
    writeSync(fd1, '\n');
    closeSync(fd1);
    writeSync(fd2, numbered(7, 8));
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 8));
    assert.equal(src.draining, true);
    timers.advance(1000);
    await src.check();
    assert.equal(src.draining, false);
    writeSync(fd2, numbered(9, 9));
    closeSync(fd2);
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 9));
    assert.deepEqual(rec.kinds(), ['opened:start', 'rotated:moved', 'opened:created']);
    assert.equal(src.positions()[0]!.inode, statSync(p).ino);
    await src.close();
  } finally {
    t.remove();
  }
});

test('the incomplete last line of a file rotated away is delivered when the file is let go', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'a\nunfinished');
    const { ManualTimers } = await import('./helpers.js');
    const timers = new ManualTimers();
    const rec = new Recorder();
    const src = source(p, rec, { timers, linger: 500 });
    await src.start();
    renameSync(p, t.file('a.log.1'));
    writeFileSync(p, 'b\n');
    await src.check();
    assert.deepEqual(rec.lines, ['a', 'b']);
    timers.advance(500);
    await src.check();
    assert.deepEqual(rec.lines, ['a', 'b', 'unfinished']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('copytruncate: a file cut below the position is read again from the start', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 10));
    const rec = new Recorder();
    const src = source(p, rec);
    await src.start();
    copyFileSync(p, t.file('a.log.1'));
    truncateSync(p, 0);
    appendFileSync(p, numbered(11, 12));
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 12));
    assert.deepEqual(rec.kinds(), ['opened:start', 'rotated:truncated', 'opened:created']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('copytruncate noticed late, after the file regrew past the position, is caught by the first line', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 3));
    const rec = new Recorder();
    const src = source(p, rec);
    await src.start();
    const fd = openSync(p, 'r+');
    ftruncateSync(fd, 0);
    closeSync(fd);
    appendFileSync(p, numbered(4, 20));
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 20));
    assert.deepEqual(rec.kinds(), ['opened:start', 'rotated:replaced', 'opened:created']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('delete and re-create: missing is said once, and the new file is read from its start', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 2));
    const rec = new Recorder();
    const src = source(p, rec, { linger: 0 });
    await src.start();
    rmSync(p);
    await src.check();
    await src.check();
    await src.check();
    writeFileSync(p, numbered(3, 4));
    await src.check();
    assert.deepEqual(numbers(rec.lines), range(1, 4));
    assert.deepEqual(rec.kinds(), ['opened:start', 'rotated:deleted', 'missing', 'opened:created']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a file that does not exist yet is waited for (said once) and then read from its start', async () => {
  const t = tempDir();
  try {
    const p = t.file('later.log');
    const rec = new Recorder();
    const src = source(p, rec, { start: 'tail' });
    await src.start();
    await src.check();
    assert.deepEqual(rec.kinds(), ['missing']);
    const ev = rec.events[0]!;
    assert.equal(ev.kind === 'missing' ? ev.error.code : '', 'LJ613');
    writeFileSync(p, numbered(1, 2));
    await src.check();
    // tail applies to files present at start; it makes no sense to skip the first lines of a new file
    assert.deepEqual(numbers(rec.lines), [1, 2]);
    await src.close();
  } finally {
    t.remove();
  }
});

test('something other than a regular file at the path is refused and reported once', async () => {
  const t = tempDir();
  try {
    const rec = new Recorder();
    const src = source(t.dir, rec);
    await src.start();
    await src.check();
    assert.deepEqual(rec.kinds(), ['error']);
    const ev = rec.events[0]!;
    assert.equal(ev.kind === 'error' ? ev.error.code : '', 'LJ611');
    await src.close();
  } finally {
    t.remove();
  }
});

test('no text reaches the sink after close, even when close comes in the middle of a big read', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, numbered(1, 20000));
    let pieces = 0;
    let closing: Promise<void> | null = null;
    const src: FileSource = new FileSource({
      path: p, backend: 'none', blockSize: 1024,
      sink: () => {
        pieces++;
        if (pieces === 3) closing = src.close();
      },
    });
    await src.start();
    await closing;
    assert.equal(pieces, 3);
    appendFileSync(p, numbered(20001, 20002));
    await src.check();
    assert.equal(pieces, 3);
  } finally {
    t.remove();
  }
});

test('latin-1 logs decode with logencoding, unknown encodings are a configuration error', async () => {
  const t = tempDir();
  try {
    const p = t.file('l1.log');
    writeFileSync(p, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const rec = new Recorder();
    const src = source(p, rec, { encoding: 'latin-1' });
    await src.start();
    assert.deepEqual(rec.lines, ['café']);
    await src.close();
    assert.throws(() => source(p, rec, { encoding: 'klingon' }), /LJ109/);
    assert.throws(() => source(p, rec, { encoding: 'utf-16le' }), /LJ109/);
  } finally {
    t.remove();
  }
});

test('a big log read for the first time starts near the oldest time of interest, never after it', async () => {
  const t = tempDir();
  try {
    const p = t.file('big.log');
    let text = '';
    for (let i = 1; i <= 100_000; i++) text += i % 1000 === 0 ? `no date here ${i}\n` : `T=${1_000_000 + i} line ${i}\n`;
    writeFileSync(p, text); // about 2.5 MB
    const dateOf = (line: string): number | null => {
      const m = /^T=(\d+) /.exec(line);
      return m === null ? null : Number(m[1]);
    };
    for (const since of [1_000_000, 1_050_000, 1_099_990, 2_000_000]) {
      const rec = new Recorder();
      const src = source(p, rec, { seekTime: { since, dateOf } });
      await src.start();
      const firstWanted = since - 1_000_000;
      const got = numbers(rec.lines);
      assert.ok(got.every((n, i) => i === 0 || n === got[i - 1]! + 1), 'consecutive lines');
      assert.ok(got.length === 0 ? firstWanted > 100_000 : got[0]! <= Math.max(1, firstWanted), `starts at ${got[0]} for line ${firstWanted}`);
      // and not much earlier: a few kilobytes of old lines at most
      if (firstWanted > 1 && firstWanted <= 100_000) assert.ok(firstWanted - got[0]! < 1000, `starts at ${got[0]}, wanted ${firstWanted}`);
      if (firstWanted > 100_000) assert.ok(got.length < 1000, `${got.length} old lines read`);
      else assert.equal(got.at(-1), 100_000);
      await src.close();
    }
    // small files are simply read whole
    const small = t.file('small.log');
    writeFileSync(small, 'T=1000001 line 1\nT=1000002 line 2\n');
    const rec = new Recorder();
    const src = source(small, rec, { seekTime: { since: 1_000_002, dateOf } });
    await src.start();
    assert.deepEqual(rec.lines, ['T=1000001 line 1', 'T=1000002 line 2']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a consumer that throws is reported and the following lines still arrive intact', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, 'one\npart');
    const got: string[] = [];
    const events: string[] = [];
    const src = new FileSource({
      path: p, backend: 'none', blockSize: 4,
      sink: (text) => {
        got.push(text);
        if (text.includes('boom')) throw new Error('consumer bug');
      },
      onEvent: (e) => events.push(e.kind === 'error' ? e.error.code : e.kind),
    });
    await src.start();
    appendFileSync(p, 'ial\nboom\nafter\n');
    await src.check();
    assert.deepEqual(got.join('').split('\n'), ['one', 'partial', 'boom', 'after', '']);
    assert.deepEqual(events, ['opened', 'LJ699']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('a position stored before anything was read (empty file) fits any content, also after a rotation while stopped', async () => {
  const t = tempDir();
  try {
    const p = t.file('a.log');
    writeFileSync(p, '');
    const s1 = source(p, new Recorder());
    await s1.start();
    const state = s1.positions()[0]!;
    assert.equal(state.firstLineHash, '');
    await s1.close();
    appendFileSync(p, numbered(1, 2));
    renameSync(p, t.file('a.log.1'));
    writeFileSync(p, numbered(3, 3));
    const rec = new Recorder();
    const s2 = source(p, rec, { resume: state, linger: 0 });
    await s2.start();
    assert.deepEqual(rec.lines, ['line 1', 'line 2', 'line 3']);
    assert.deepEqual(rec.kinds(), ['opened:rotatedWhileDown']);
    await s2.close();
  } finally {
    t.remove();
  }
});
