import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CommandRunner } from '../../src/actions/commandRunner.js';
import { createJailActions } from '../../src/actions/createActions.js';
import { SerialQueue } from '../../src/actions/serialQueue.js';
import { actionFrom, lines, makeBan, RecordingLog, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.remove());

let n = 0;
function setup(opts: { flushFirst?: boolean; failSecondBan?: boolean; norestoredFirst?: boolean } = {}) {
  const trace = tmp.file(`jail-${++n}`);
  const first = actionFrom({
    'first.conf': lines('[Definition]',
      'actionstart = echo "first start" >> <trace>',
      'actionstop = echo "first stop" >> <trace>',
      'actionban = echo "first ban <ip>" >> <trace>',
      'actionunban = echo "first unban <ip>" >> <trace>',
      ...(opts.flushFirst === true ? ['actionflush = echo "first flush" >> <trace>'] : []),
      ...(opts.norestoredFirst === true ? ['norestored = true'] : []),
      '[Init]', `trace = ${trace}`),
  }, 'first', {}, 'web');
  const second = actionFrom({
    'second.conf': lines('[Definition]',
      'actionstart = echo "second start" >> <trace>',
      'actionstop = echo "second stop" >> <trace>',
      `actionban = ${opts.failSecondBan === true ? 'exit 1' : 'echo "second ban <ip>" >> <trace>'}`,
      'actionunban = echo "second unban <ip>" >> <trace>',
      'actionflush = echo "second flush" >> <trace>',
      '[Init]', `trace = ${trace}`),
  }, 'second', {}, 'web');
  const log = new RecordingLog();
  const jail = createJailActions({ name: 'web' }, [first, second], { log, runner: new CommandRunner({ queue: new SerialQueue(), log }) });
  return { jail, log, events: () => tmp.read(`jail-${n}`).split('\n').filter((l) => l !== '') };
}

describe('the actions of a jail', () => {
  it('start in file order and stop in reverse order after lifting the bans', async () => {
    const { jail, events } = setup();
    await jail.start();
    const a = makeBan({ ip: '192.0.2.1', jail: 'web' });
    const b = makeBan({ ip: '192.0.2.2', jail: 'web' });
    assert.equal(await jail.ban(a), true);
    assert.equal(await jail.ban(b), true);
    await jail.stop([a, b]);
    assert.deepEqual(events(), [
      'first start', 'second start',
      'first ban 192.0.2.1', 'second ban 192.0.2.1', 'first ban 192.0.2.2', 'second ban 192.0.2.2',
      // the second action flushes; the first has no flush command and unbans one by one
      'second flush', 'first unban 192.0.2.1', 'first unban 192.0.2.2',
      'second stop', 'first stop',
    ]);
  });

  it('flushes with every action that can, and unbans nothing then', async () => {
    const { jail, events } = setup({ flushFirst: true });
    await jail.start();
    const a = makeBan({ ip: '192.0.2.1', jail: 'web' });
    await jail.ban(a);
    await jail.flush([a]);
    assert.deepEqual(events().slice(4), ['first flush', 'second flush']);
  });

  it('goes on with the other actions when one fails, and says so', async () => {
    const { jail, log, events } = setup({ failSecondBan: true });
    await jail.start();
    assert.equal(await jail.ban(makeBan({ ip: '192.0.2.3', jail: 'web' })), false);
    assert.ok(events().includes('first ban 192.0.2.3'));
    assert.ok(log.has(/\[web\] failed to execute ban of 192\.0\.2\.3 with action second: .*LJ621/), log.messages.join('\n'));
  });

  it('skips restored bans in actions marked norestored', async () => {
    const { jail, events } = setup({ norestoredFirst: true });
    await jail.start();
    await jail.ban(makeBan({ ip: '192.0.2.4', jail: 'web', restored: true }));
    await jail.ban(makeBan({ ip: '192.0.2.5', jail: 'web' }));
    assert.deepEqual(events().slice(2), ['second ban 192.0.2.4', 'first ban 192.0.2.5', 'second ban 192.0.2.5']);
  });

  it('hands a burst of bans and unbans to each action in order without waiting for each', async () => {
    const { jail, events } = setup();
    await jail.start();
    const pending: Promise<boolean>[] = [];
    for (let i = 1; i <= 4; i++) {
      const ban = makeBan({ ip: `198.51.100.${i}`, jail: 'web' });
      pending.push(jail.ban(ban), jail.unban(ban));
    }
    assert.deepEqual(await Promise.all(pending), Array(8).fill(true));
    const first = events().filter((e) => e.startsWith('first') && !e.endsWith('start'));
    assert.deepEqual(first, [1, 2, 3, 4].flatMap((i) => [`first ban 198.51.100.${i}`, `first unban 198.51.100.${i}`]));
  });

  it('leaves out Python actions with an error in the log', () => {
    const log = new RecordingLog();
    const py = { ...actionFrom({ 'x.conf': lines('[Definition]', 'actionban = true') }, 'x'), python: true, file: 'smtp.py' };
    const jail = createJailActions({ name: 'web' }, [py], { log });
    assert.equal(jail.actions.length, 0);
    assert.ok(log.has(/LJ113/));
  });
});
