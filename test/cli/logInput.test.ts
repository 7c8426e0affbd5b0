import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileText } from '../../src/cli/logInput.js';

/** Read `content` with small blocks; returns the pieces handed on and whether each was ASCII. */
function pieces(content: Buffer, blockSize: number, shared: boolean): { text: string; ascii: boolean; bytes: boolean }[] {
  const dir = mkdtempSync(join(tmpdir(), 'logjail-input-'));
  try {
    const file = join(dir, 'log');
    writeFileSync(file, content);
    const out: { text: string; ascii: boolean; bytes: boolean }[] = [];
    // a few buffers going round, as the two-thread pipeline's pool does
    const pool = [0, 1, 2].map(() => Buffer.alloc(blockSize));
    let next = 0;
    const n = readFileText(file, (text, ascii, bytes) => {
      if (bytes !== undefined) assert.equal(Buffer.from(bytes).toString('latin1'), text);
      out.push({ text, ascii, bytes: bytes !== undefined });
    }, undefined, shared ? (size) => { assert.equal(size, blockSize); return pool[next++ % pool.length]!; } : undefined, blockSize);
    assert.equal(n, content.length);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a log is read in blocks that end with a line, whatever the block size', () => {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(`line ${i} ${'x'.repeat(i % 37)}${i % 50 === 7 ? ' caf\u00e9 \u{1f600}' : ''}`);
  const text = lines.join('\n') + '\n';
  const content = Buffer.from(text, 'utf8');
  for (const size of [64, 100, 257, 4096, 1 << 16]) {
    for (const shared of [false, true]) {
      const got = pieces(content, size, shared);
      assert.equal(got.map((p) => p.text).join(''), text, `${size} ${shared}`);
      for (const p of got.slice(0, -1)) {
        // every piece but a line longer than a block ends with "\n"
        if (p.text.length < size / 4) assert.ok(p.text.endsWith('\n'), `${size}: ${JSON.stringify(p.text.slice(-20))}`);
      }
      for (const p of got) assert.equal(p.ascii, !/[^\x00-\x7f]/.test(p.text));
      if (shared && size <= 257) assert.ok(got.some((p) => p.bytes), 'pure-ASCII blocks are handed on with their bytes');
    }
  }
});

test('a line longer than a block, a character split between blocks and a last line without "\\n" come out whole', () => {
  const long = 'L'.repeat(1000) + '\u00e9'.repeat(300) + 'E';
  const text = `a\n${long}\nb\u00e9\nlast without newline`;
  for (const shared of [false, true]) {
    const got = pieces(Buffer.from(text, 'utf8'), 128, shared);
    assert.equal(got.map((p) => p.text).join(''), text);
    assert.ok(!got.some((p) => p.text.includes('\ufffd')), 'no character broken in two');
  }
});
