import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstChars } from '../../src/filter/pyregex/index.js';

const chars = (t: Uint8Array | null): string | null =>
  t === null ? null : [...t.keys()].filter((i) => t[i] === 1).map((i) => (i === 128 ? '<non-ascii>' : String.fromCharCode(i))).join('');

test('an anchored pattern starting with a literal can only start with that character', () => {
  assert.equal(chars(firstChars('^Failed (?:password|publickey) for')), 'F');
  assert.equal(chars(firstChars('^[iI](?:llegal|nvalid) user')), 'Ii');
});

test('alternatives, optional parts and case-insensitive parts widen the set', () => {
  assert.equal(chars(firstChars('^(?:error: )?Failed')), 'Fe');
  assert.equal(chars(firstChars('^(?i:ab)')), 'Aa');
  assert.equal(chars(firstChars('^(?:x|y)*z')), 'xyz');
  assert.equal(chars(firstChars('(?i)^k')), 'Kk<non-ascii>', 'Kelvin sign folds to k');
});

test('unanchored, multi-line or possibly empty patterns give no restriction', () => {
  assert.equal(firstChars('Failed'), null);
  assert.equal(firstChars('^a?', {}), null);
  assert.equal(firstChars('^Failed', { multiline: true }), null);
  assert.equal(chars(firstChars('^(?P<x>a)(?P=x)')), 'a');
});

test('lookarounds and back-references never narrow the set wrongly', () => {
  assert.equal(chars(firstChars('^(?=F)Failed')), 'F');
  const t = firstChars('^(?P<a>x)?(?P=a)y');
  assert.ok(t === null || t[120] === 1, 'a match can start with x');
});
