import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../../src/errors.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/errors.md');

it('documents every error code of the catalogue in docs/errors.md with the same title and hint', () => {
  const rows = new Map<string, [string, string]>();
  for (const line of fs.readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\| (LJ\d{3}) \| (.*?) \| (.*) \|$/.exec(line);
    if (m !== null) rows.set(m[1]!, [m[2]!, m[3]!.replace(/\\\|/g, '|')]);
  }
  const codes = Object.values(ERRORS).map((s) => s.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  assert.deepEqual([...rows.keys()].sort(), [...codes].sort(), 'the same codes in docs/errors.md and src/errors.ts');
  for (const s of Object.values(ERRORS)) assert.deepEqual(rows.get(s.code), [s.title, s.hint], s.code);
});
