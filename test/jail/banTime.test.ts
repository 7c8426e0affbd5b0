import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BanTime } from '../../src/jail/banTime.js';
import { compileExpression } from '../../src/jail/expression.js';

const inc = { enabled: true, multipliers: [] as number[], overallJails: false };

test('without increment every ban lasts bantime', () => {
  const b = new BanTime(600, { ...inc, enabled: false });
  assert.equal(b.forBan(5), 600);
  assert.equal(b.max, 600);
});

test('the default formula doubles the ban time with each previous ban', () => {
  const b = new BanTime(600, inc);
  assert.deepEqual([0, 1, 2, 3].map((n) => b.forBan(n)), [600, 1200, 2400, 4800]);
  assert.equal(b.max, -1, 'no cap without maxtime');
});

test('factor, maxtime, multipliers and a custom formula shape the increase', () => {
  assert.equal(new BanTime(600, { ...inc, factor: '2' }).forBan(1), 2400);
  assert.equal(new BanTime(600, { ...inc, maxTime: 3600 }).forBan(5), 3600);
  const m = new BanTime(60, { ...inc, multipliers: [1, 5, 30, 60] });
  assert.deepEqual([1, 2, 3, 9].map((n) => m.forBan(n)), [300, 1800, 3600, 3600]);
  const f = new BanTime(100, { ...inc, formula: 'ban.Time + 10 * ban.Count' });
  assert.equal(f.forBan(3), 130);
  assert.equal(new BanTime(600, { ...inc, rndTime: 10 }, {}, () => 0.5).forBan(1), 1205);
});

test('a known offender\'s failures weigh more, up to maxretry', () => {
  const b = new BanTime(600, inc);
  assert.deepEqual([0, 1, 2, 3, 10].map((n) => b.weight(n, 5)), [1, 2, 3, 5, 5]);
});

test('formulas are parsed, never run as code; a bad one is a configuration error', () => {
  const f = compileExpression('max(1, 2 ** 3) // 3 if not 0 else -1', []);
  assert.equal(f({}), 2);
  assert.throws(() => compileExpression('__import__("os").system("id")', []), /LJ109/);
  assert.throws(() => compileExpression('ban.Time * x', ['ban.Time']), /unknown name x/);
  assert.throws(() => compileExpression('1 +', []), /LJ109/);
});
