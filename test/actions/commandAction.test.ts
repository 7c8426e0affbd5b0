import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CommandAction } from '../../src/actions/commandAction.js';
import { CommandRunner } from '../../src/actions/commandRunner.js';
import { SerialQueue } from '../../src/actions/serialQueue.js';
import type { HostNames } from '../../src/actions/hostNames.js';
import type { JailContext } from '../../src/actions/types.js';
import type { ActionDefinition } from '../../src/config/types.js';
import { actionFrom, lines, makeBan, ManualTimers, RecordingLog, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.remove());

let n = 0;
/** A fresh trace file; commands append one line per event to it. */
function traceFile(): { path: string; events(): string[] } {
  const name = `trace-${++n}`;
  return { path: tmp.file(name), events: () => tmp.read(name).split('\n').filter((l) => l !== '') };
}

const HOSTS: HostNames = {
  ipHost: (ip) => Promise.resolve(ip === '192.0.2.1' ? 'one.example' : 'None'),
  fqHostname: () => Promise.resolve('me.example'),
  shHostname: () => 'me',
};

function make(def: ActionDefinition, opts: { jail?: JailContext; timers?: ManualTimers; allowIPv6?: boolean; log?: RecordingLog; clock?: () => number } = {}): CommandAction {
  const log = opts.log ?? new RecordingLog();
  const runner = new CommandRunner({ queue: new SerialQueue(), log, ...(opts.timers ? { timers: opts.timers } : {}) });
  return new CommandAction(def, {
    runner, log, hostNames: HOSTS,
    jail: opts.jail ?? { name: 'test', banTime: 3600 },
    clock: opts.clock ?? (() => 1_700_000_123.5),
    ...(opts.allowIPv6 !== undefined ? { allowIPv6: opts.allowIPv6 } : {}),
  });
}

/** An action with address-family variants (so it starts on demand, like the stock firewall actions). */
function familyAction(trace: string, extra: string[] = [], params: Record<string, string> = {}): ActionDefinition {
  return actionFrom({
    'fam.conf': lines(
      '[Definition]',
      'actionstart = echo "start <family> <fw>" >> <trace>',
      'actionstop = echo "stop <family> <fw>" >> <trace>',
      'actionban = echo "ban <ip> <fw>" >> <trace>',
      'actionunban = echo "unban <ip> <fw>" >> <trace>',
      ...extra,
      '[Init]',
      `trace = ${trace}`,
      'fw = fw4',
      '[Init?family=inet6]',
      'fw = fw6',
    ),
  }, 'fam', params);
}

describe('command action life cycle', () => {
  it('starts on demand, once per address family, with the family variant of each tag', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path));
    await a.start();
    assert.deepEqual(t.events(), [], 'nothing runs at jail start');
    await a.ban(makeBan({ ip: '192.0.2.1' }));
    await a.ban(makeBan({ ip: '192.0.2.2' }));
    await a.ban(makeBan({ ip: '2001:db8::1' }));
    await a.unban(makeBan({ ip: '2001:db8::1' }));
    await a.stop();
    assert.deepEqual(t.events(), [
      'start inet4 fw4', 'ban 192.0.2.1 fw4', 'ban 192.0.2.2 fw4',
      'start inet6 fw6', 'ban 2001:db8::1 fw6', 'unban 2001:db8::1 fw6',
      'stop inet4 fw4', 'stop inet6 fw6',
    ]);
  });

  it('does not unban in a family that holds no bans, nor stop what never started', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path));
    await a.unban(makeBan({ ip: '192.0.2.1' }));
    await a.stop();
    assert.deepEqual(t.events(), []);
  });

  it('starts every family at jail start when told not to wait (actionstart_on_demand = false)', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path, ['actionstart_on_demand = false']));
    await a.start();
    await a.ban(makeBan({ ip: '192.0.2.1' }));
    assert.deepEqual(t.events(), ['start inet4 fw4', 'start inet6 fw6', 'ban 192.0.2.1 fw4']);
    const v4only = traceFile();
    await make(familyAction(v4only.path, ['actionstart_on_demand = false']), { allowIPv6: false }).start();
    assert.deepEqual(v4only.events(), ['start inet4 fw4']);
  });

  it('runs a command that is the same for every family once, at start and at stop', async () => {
    const t = traceFile();
    const a = make(actionFrom({
      'plain.conf': lines('[Definition]', 'actionstart = echo start >> <trace>', 'actionstop = echo stop >> <trace>',
        'actionban = echo "ban <ip> <family>" >> <trace>', '[Init]', `trace = ${t.path}`),
    }, 'plain'));
    await a.start();
    await a.ban(makeBan({ ip: '192.0.2.1' }));
    await a.ban(makeBan({ ip: '2001:db8::1' }));
    await a.stop();
    assert.deepEqual(t.events(), ['start', 'ban 192.0.2.1 inet4', 'ban 2001:db8::1 inet6', 'stop']);
  });

  it('flushes each family that holds bans in one command, after which unbans have nothing to do', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path, ['actionflush = echo "flush <family>" >> <trace>']));
    assert.equal(a.hasFlush, true);
    await a.ban(makeBan({ ip: '192.0.2.1' }));
    await a.ban(makeBan({ ip: '2001:db8::1' }));
    await a.flush();
    await a.unban(makeBan({ ip: '192.0.2.1' }));
    assert.deepEqual(t.events().filter((e) => !e.startsWith('start') && !e.startsWith('ban')), ['flush inet4', 'flush inet6']);
    assert.equal(make(familyAction(t.path)).hasFlush, false);
  });

  it('applies calls in the order they were made, even when nobody waits in between', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path));
    const calls = [];
    for (let i = 1; i <= 5; i++) {
      calls.push(a.ban(makeBan({ ip: `192.0.2.${i}` })));
      calls.push(a.unban(makeBan({ ip: `192.0.2.${i}` })));
    }
    await Promise.all(calls);
    const expected = ['start inet4 fw4'];
    for (let i = 1; i <= 5; i++) expected.push(`ban 192.0.2.${i} fw4`, `unban 192.0.2.${i} fw4`);
    assert.deepEqual(t.events(), expected);
  });

  it('uses actionreban for a reban when there is one, actionban otherwise; prolongs only with actionprolong', async () => {
    const t = traceFile();
    const plain = make(familyAction(t.path));
    assert.equal(plain.prolongable, false);
    await plain.reban(makeBan({ ip: '192.0.2.9' }));
    await plain.prolong(makeBan({ ip: '192.0.2.9' }));
    const both = make(familyAction(t.path, ['actionreban = echo "reban <ip>" >> <trace>', 'actionprolong = echo "prolong <ip> <bantime>" >> <trace>']));
    assert.equal(both.prolongable, true);
    await both.reban(makeBan({ ip: '192.0.2.8' }));
    await both.prolong(makeBan({ ip: '192.0.2.8', banTime: 7200 }));
    assert.deepEqual(t.events(), ['start inet4 fw4', 'ban 192.0.2.9 fw4', 'start inet4 fw4', 'reban 192.0.2.8', 'prolong 192.0.2.8 7200']);
  });

  it('reloads the started families', async () => {
    const t = traceFile();
    const a = make(familyAction(t.path, ['actionreload = echo "reload <family>" >> <trace>']));
    await a.reload();
    await a.ban(makeBan({ ip: '2001:db8::5' }));
    await a.reload();
    assert.deepEqual(t.events(), ['start inet6 fw6', 'ban 2001:db8::5 fw6', 'reload inet6']);
  });
});

describe('command action tags', () => {
  it('offers the ban\'s values, the parameters and the jail\'s to actionban', async () => {
    const t = traceFile();
    const def = actionFrom({
      'tags.conf': lines('[Definition]',
        'actionban = printf "%%s|" <ip> <fid> <family> <failures> <time> <bantime> <bancount> <restored> "<F-USER>" "<matches>" \\',
        '              <ip-rev> <ip-host> <name> <actname> <timeout> <port> <jail.banned> "<ipjailmatches>" <ipfailures> <fq-hostname> <sh-hostname> \\',
        '              "<nothing>" >> <trace>',
        '[Init]', `trace = ${t.path}`, 'port = ssh', 'timeout = 2m'),
    }, 'tags', { name: 'SSH' }, 'sshd');
    const jail: JailContext = {
      name: 'sshd',
      counters: () => ({ banned: 4, bannedTotal: 9, found: 1, foundTotal: 20 }),
      history: (_ip, all) => Promise.resolve(all ? { matches: ['a', 'b'], failures: 12 } : { matches: ['jail line'], failures: 5 }),
    };
    await make(def, { jail }).ban(makeBan({
      ip: '192.0.2.1', id: '192.0.2.1', failures: 3, time: 1_700_000_000, banTime: 600, banCount: 2,
      data: { user: 'root' }, matches: ['line one', 'line two'],
    }));
    assert.deepEqual(t.events(), [
      '192.0.2.1|192.0.2.1|inet4|3|1700000000.0|600|2|0|root|line one',
      'line two|1.2.0.192.|one.example|SSH|tags-SSH|120|ssh|4|jail line|12|me.example|me|<nothing>|',
    ]);
  });

  it('gives start and stop an empty ban at the current time with the jail\'s ban time', async () => {
    const t = traceFile();
    const def = actionFrom({
      'op.conf': lines('[Definition]', 'actionstart = echo "[<ip>] <time> <bantime> <failures> <family> <name>" >> <trace>',
        'actionban = true', '[Init]', `trace = ${t.path}`),
    }, 'op');
    await make(def, { clock: () => 1_700_000_555.25, jail: { name: 'test', banTime: 86400 } }).start();
    assert.deepEqual(t.events(), ['[] 1700000555.25 86400 0  test']);
  });

  it('prints the integer ban time of a restored ban and says it was restored', async () => {
    const t = traceFile();
    const def = actionFrom({ 'r.conf': lines('[Definition]', 'actionban = echo "<time> <restored>" >> <trace>', '[Init]', `trace = ${t.path}`) }, 'r');
    await make(def).ban(makeBan({ ip: '192.0.2.1', time: 1_700_000_000.4, restored: true }));
    assert.deepEqual(t.events(), ['1700000000 1']);
  });

  it('keeps a hostile user name, match or id inert in real commands', async () => {
    const t = traceFile();
    const mark = tmp.file('owned');
    const def = actionFrom({
      'h.conf': lines('[Definition]',
        'actionban = printf "%%s\\n" "<F-USER>" <F-USER> >> <trace>',
        '            echo <matches> <fid> > /dev/null',
        '            logger -t test-<name> "<F-USER>" 2>/dev/null || true',
        '[Init]', `trace = ${t.path}`),
    }, 'h');
    const a = make(def);
    for (const user of [`$(touch ${mark})`, `a;touch ${mark}`, `\`touch ${mark}\``, `x\ntouch ${mark}`, `'"; touch ${mark}; "'`]) {
      await a.ban(makeBan({ ip: '192.0.2.1', id: user, data: { user }, matches: [`Invalid user ${user} from 192.0.2.1`] }));
      assert.equal(existsSync(mark), false, `injection through ${JSON.stringify(user)}`);
    }
    assert.ok(t.events().includes(`$(touch ${mark})`), 'the value itself arrived');
  });
});


describe('command action repair', () => {
  let t: { path: string; events(): string[] };
  let state: string;
  before(() => { t = traceFile(); });

  function repairable(extra: string[], stateName: string): ActionDefinition {
    state = tmp.file(stateName);
    return actionFrom({
      'rep.conf': lines('[Definition]',
        'actionstart = touch <state> && echo start >> <trace>',
        'actionstop = rm -f <state> && echo stop >> <trace>',
        'actionban = test -e <state> && echo "ban <ip>" >> <trace>',
        'actionunban = test -e <state> && echo "unban <ip>" >> <trace>',
        'actioncheck = test -e <state>',
        ...extra,
        '[Init]', `trace = ${t.path}`, `state = ${state}`),
    }, 'rep');
  }

  it('checks, repairs and retries a failed ban once, and raises the ban epoch', async () => {
    t = traceFile();
    const log = new RecordingLog();
    const a = make(repairable(['actionrepair = touch <state> && echo repair >> <trace>'], 'state1'), { log });
    await a.start();
    await a.ban(makeBan({ ip: '192.0.2.1' }));
    assert.equal(a.banEpoch, 0);
    rmSync(state); // the firewall loses its state
    await a.ban(makeBan({ ip: '192.0.2.2' }));
    assert.deepEqual(t.events(), ['start', 'ban 192.0.2.1', 'repair', 'ban 192.0.2.2']);
    assert.equal(a.banEpoch, 1);
    assert.ok(log.has(/invariant check failed; trying to restore a sane environment/));
  });

  it('repairs by stop and start when there is no actionrepair', async () => {
    t = traceFile();
    const a = make(repairable([], 'state2'));
    await a.start();
    rmSync(state);
    await a.ban(makeBan({ ip: '192.0.2.3' }));
    assert.deepEqual(t.events(), ['start', 'stop', 'start', 'ban 192.0.2.3']);
  });

  it('does not repair for a failed unban unless actionrepair_on_unban is set', async () => {
    t = traceFile();
    const log = new RecordingLog();
    const a = make(repairable(['actionrepair = touch <state> && echo repair >> <trace>'], 'state3'), { log });
    await a.start();
    await a.ban(makeBan({ ip: '192.0.2.4' }));
    rmSync(state);
    await assert.rejects(a.unban(makeBan({ ip: '192.0.2.4' })), /LJ621.*error unbanning 192\.0\.2\.4 with action test\/rep/);
    assert.ok(log.has(/unban is impossible/));
    t = traceFile();
    const b = make(repairable(['actionrepair = touch <state> && echo repair >> <trace>', 'actionrepair_on_unban = true'], 'state4'));
    await b.start();
    await b.ban(makeBan({ ip: '192.0.2.5' }));
    rmSync(state);
    await b.unban(makeBan({ ip: '192.0.2.5' }));
    assert.deepEqual(t.events(), ['start', 'ban 192.0.2.5', 'repair', 'unban 192.0.2.5']);
  });

  it('retries once without a check, and fails after the second failure', async () => {
    t = traceFile();
    const flag = tmp.file('second-try');
    const a = make(actionFrom({
      'once.conf': lines('[Definition]',
        `actionban = if [ -e ${flag} ]; then echo "ban <ip>" >> <trace>; else touch ${flag}; exit 1; fi`,
        '[Init]', `trace = ${t.path}`),
    }, 'once'));
    await a.ban(makeBan({ ip: '192.0.2.6' }));
    assert.deepEqual(t.events(), ['ban 192.0.2.6']);
    const never = make(actionFrom({ 'never.conf': lines('[Definition]', `actionban = echo try >> ${t.path}; exit 3`) }, 'never'));
    await assert.rejects(never.ban(makeBan({ ip: '192.0.2.7' })), /LJ621/);
    assert.deepEqual(t.events(), ['ban 192.0.2.6', 'try', 'try']);
  });

  it('checks the started families on a consistency check and repairs them', async () => {
    t = traceFile();
    const a = make(repairable(['actionrepair = touch <state> && echo repair >> <trace>'], 'state5'));
    await a.start();
    assert.equal(await a.consistencyCheck(), true);
    rmSync(state);
    assert.equal(await a.consistencyCheck(), true);
    assert.deepEqual(t.events(), ['start', 'repair']);
    const broken = make(repairable(['actionrepair = false'], 'state6'));
    await broken.start();
    rmSync(state);
    assert.equal(await broken.consistencyCheck(), false);
  });
});

describe('command action time limit', () => {
  it('kills a command that hangs at the action\'s timeout and reports the ban as failed (timers fired by hand)', async () => {
    const timers = new ManualTimers();
    const log = new RecordingLog();
    const a = make(actionFrom({ 'hang.conf': lines('[Definition]', 'actionban = sleep 300', '[Init]', 'timeout = 7') }, 'hang'), { timers, log });
    const ban = a.ban(makeBan({ ip: '192.0.2.10' }));
    let outcome: unknown = null;
    ban.then(() => { outcome = 'resolved'; }, (e: unknown) => { outcome = e; });
    const delays: number[] = [];
    // two attempts (the retry), each stopped at 7 s
    while (outcome === null) {
      const d = timers.fireNext();
      if (d !== undefined) delays.push(d);
      await new Promise((r) => setImmediate(r));
    }
    assert.match(String(outcome), /LJ621/);
    assert.deepEqual(delays.filter((d) => d === 7000).length, 2);
    assert.equal(log.messages.filter((m) => /LJ622/.test(m)).length, 2);
  });
});
