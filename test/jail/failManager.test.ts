import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailManager, pyRound } from '../../src/jail/failManager.js';

test('Python rounding sends halves to the even neighbour', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, -1.5].map(pyRound), [0, 2, 2, 4, 2, 3, -2]);
});

test('failures within findtime add up to maxretry', () => {
  const fm = new FailManager(3, 600, 5);
  assert.equal(fm.add('a', 100, ['l1'], {}), 1);
  assert.equal(fm.add('a', 200, ['l2'], {}), 2);
  assert.equal(fm.add('a', 300, ['l3'], {}), 3);
  assert.deepEqual(fm.get('a')!.matches, ['l1', 'l2', 'l3']);
  assert.equal(fm.get('a')!.failures, 3);
});

test('when the first failure falls out of findtime the count is rescaled to the rate (fail2ban adjustTime)', () => {
  const fm = new FailManager(10, 600, 5);
  fm.add('a', 0, [], {});
  fm.add('a', 100, [], {});
  fm.add('a', 200, [], {});
  // 3 failures in 200 s, next at 1000: 3 / 1000 * 600 = 1.8 -> 2, then +1
  assert.equal(fm.add('a', 1000, [], {}), 3);
  assert.equal(fm.get('a')!.firstTime, 400);
});

test('old tickets are dropped by their last failure', () => {
  const fm = new FailManager(3, 600, 5);
  fm.add('a', 100, [], {});
  fm.add('b', 500, [], {});
  fm.cleanup(700);
  assert.equal(fm.get('a'), undefined);
  assert.notEqual(fm.get('b'), undefined);
});

test('matches are capped at maxmatches, and none are kept with 0', () => {
  const fm = new FailManager(9, 600, 2);
  for (let i = 0; i < 5; i++) fm.add('a', i, [`l${i}`], {});
  assert.deepEqual(fm.get('a')!.matches, ['l3', 'l4']);
  const none = new FailManager(9, 600, 0);
  none.add('a', 1, ['x'], {});
  assert.deepEqual(none.get('a')!.matches, []);
});

test('a weighted failure counts several times', () => {
  const fm = new FailManager(5, 600, 5);
  assert.equal(fm.add('a', 1, [], {}, 3), 3);
  assert.equal(fm.add('a', 2, [], {}, 3), 6);
});
