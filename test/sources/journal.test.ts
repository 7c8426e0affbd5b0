import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { JournalSource } from '../../src/sources/journalSource.js';
import { journalctlArgs, matchArgs } from '../../src/sources/journalArgs.js';
import { journalLine } from '../../src/sources/journalEntry.js';
import { JOURNAL_PATH, type JournalState } from '../../src/sources/types.js';
import { ManualTimers, Recorder, tempDir, waitFor } from './helpers.js';
import { entry, haveJournalTools, havePythonSystemd, writeJournal, type ExportEntry } from './journalFiles.js';

// the oracle prints times in the local zone of the moment; one fixed zone for both sides
process.env['TZ'] = 'UTC';

const T0 = 1_700_000_000_000_000n;
const noTools = haveJournalTools ? false : 'systemd-journal-remote or journalctl is not installed';
const noOracle = noTools !== false ? noTools : havePythonSystemd ? false : 'python3-systemd (for fail2ban\'s systemd backend) is not installed';

test('journalmatch lines become journalctl matches: terms ANDed, lines and "+" ORed', () => {
  assert.deepEqual(matchArgs([['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']]), ['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']);
  assert.deepEqual(matchArgs([['_SYSTEMD_UNIT=a.service', 'PRIORITY=3'], ['_COMM=b']]), ['_SYSTEMD_UNIT=a.service', 'PRIORITY=3', '+', '_COMM=b']);
  // stray "+" signs are dropped rather than handed to journalctl, which refuses them
  assert.deepEqual(matchArgs([['+', 'A=1', '+', '+'], [], ['+']]), ['A=1']);
  assert.deepEqual(matchArgs([['MESSAGE=a b; $(reboot)']]), ['MESSAGE=a b; $(reboot)']);
  for (const bad of ['sshd', '-f', '--output=cat', 'lower=1', '=x', '1A=x']) {
    assert.throws(() => matchArgs([[bad]]), /LJ109/, bad);
  }
});

test('journalctl arguments: files, directory, flags, namespace, and where to start', async () => {
  const base = ['--follow', '--output=json', '--no-pager', '--quiet', '--all'];
  assert.deepEqual(await journalctlArgs({}, [], {}, {}), [...base, '--system', '--lines=0']);
  assert.deepEqual(await journalctlArgs({}, [], {}, { F2B_SYSTEMD_DEFAULT_FLAGS: '0' }), [...base, '--lines=0']);
  assert.deepEqual(await journalctlArgs({ journalflags: '12', namespace: 'ns' }, [['A=1']], { afterCursor: 's=1;i=2' }, {}),
    [...base, '--system', '--user', '--namespace=ns', '--after-cursor=s=1;i=2', '--', 'A=1']);
  assert.deepEqual(await journalctlArgs({ journalpath: '/var/log/journal/x' }, [], { since: 1700000000.5 }, {}),
    [...base, '--directory=/var/log/journal/x', '--since=@1700000000.500000']);
  const t = tempDir();
  try {
    writeFileSync(t.file('a.journal'), '');
    writeFileSync(t.file('b.journal'), '');
    assert.deepEqual(await journalctlArgs({ journalfiles: `${t.file('*.journal')}, ${t.file('a.journal')}` }, [], {}, {}),
      [...base, `--file=${t.file('a.journal')}`, `--file=${t.file('b.journal')}`, '--lines=0']);
    await assert.rejects(journalctlArgs({ journalfiles: t.file('none*.journal') }, [], {}, {}), /LJ614/);
    await assert.rejects(journalctlArgs({ journalflags: 'system' }, [], {}, {}), /LJ109/);
  } finally {
    t.remove();
  }
});

/** Entries of every shape fail2ban's line building distinguishes. */
function variedEntries(): ExportEntry[] {
  let t = T0;
  const next = (): bigint => (t += 1_500_000n);
  return [
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', '123'], ['MESSAGE', 'Failed password for root from 192.0.2.1 port 22 ssh2']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['_COMM', 'sshd'], ['_PID', '124'], ['MESSAGE', 'identifier from _COMM']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['SYSLOG_PID', '012'], ['_PID', '9'], ['MESSAGE', 'leading zero']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['SYSLOG_PID', '0x1f'], ['MESSAGE', 'hex pid']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['SYSLOG_PID', 'abc'], ['MESSAGE', 'pid not a number']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['SYSLOG_PID', '0'], ['_PID', '77'], ['MESSAGE', 'zero pid falls back']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['MESSAGE', 'no pid at all']]),
    entry(next(), [['SYSLOG_IDENTIFIER', 'nohost'], ['_PID', '5'], ['MESSAGE', 'no hostname']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['MESSAGE', 'no identifier']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'kernel'], ['_SOURCE_MONOTONIC_TIMESTAMP', '12345678'], ['MESSAGE', 'kernel line']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', '1'], ['MESSAGE', 'two\nlines and a\ttab']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', '1'], ['MESSAGE', Buffer.from([0x62, 0x61, 0x64, 0xff, 0x20, 0xc3, 0xa9])]]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', '1'], ['MESSAGE', 'first value'], ['MESSAGE', 'second value']]),
    entry(next(), [['_HOSTNAME', 'hôst'], ['SYSLOG_IDENTIFIER', 'ünï'], ['_PID', '1'], ['MESSAGE', 'ünïcödé 😀']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'src'], ['_SOURCE_REALTIME_TIMESTAMP', String(T0 - 123_456n)], ['MESSAGE', 'source time']]),
    entry(next(), [['_HOSTNAME', 'host1'], ['SYSLOG_IDENTIFIER', 'app'], ['_PID', '2'], ['MESSAGE', '']]),
  ];
}

/** fail2ban's own line building, run on the same journal file. */
function oracle(file: string): { line: string; time: number; text: string; cursor: string }[] {
  const code = `
import json, sys
from systemd import journal
from fail2ban.server.filtersystemd import FilterSystemd
class Fake:
    jailName = 'test'
    def getLogEncoding(self): return 'UTF-8'
    def getJrnEntTime(self, e): return FilterSystemd.getJrnEntTime(self, e)
out = []
for e in journal.Reader(files=[sys.argv[1]], converters={'__CURSOR': lambda x: x}):
    (pre, date, line), t = FilterSystemd.formatJournalEntry(Fake(), e)
    out.append({'line': line, 'time': t, 'text': date.strip(), 'cursor': e['__CURSOR']})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })) as never;
}

test('journal entries become the lines fail2ban builds, with the same time', { skip: noOracle }, () => {
  const t = tempDir();
  try {
    const file = t.file('varied.journal');
    writeJournal(file, variedEntries(), t.file('export'));
    const json = execFileSync('journalctl', [`--file=${file}`, '--output=json', '--all', '--no-pager'], { encoding: 'utf8' });
    const ours = json.trimEnd().split('\n').map((l) => journalLine(JSON.parse(l) as Record<string, unknown>)!);
    const theirs = oracle(file);
    assert.equal(ours.length, variedEntries().length);
    assert.deepEqual(ours.map((e) => ({ line: e.line, time: e.time.time, text: e.time.text, cursor: e.cursor })), theirs);
  } finally {
    t.remove();
  }
});

function sshd(us: bigint, n: number, ip = '192.0.2.1'): ExportEntry {
  return entry(us, [['_HOSTNAME', 'h'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', String(1000 + n)], ['_SYSTEMD_UNIT', 'ssh.service'], ['MESSAGE', `Failed password for root from ${ip} port ${n} ssh2`]]);
}
function cron(us: bigint, n: number): ExportEntry {
  return entry(us, [['_HOSTNAME', 'h'], ['SYSLOG_IDENTIFIER', 'CRON'], ['_PID', String(2000 + n)], ['MESSAGE', `job ${n}`]]);
}
const ports = (rec: Recorder): number[] => rec.lines.map((l) => Number(/port (\d+)/.exec(l)?.[1] ?? -1));

test('the journal source follows a journal file with matches, and resumes from the stored cursor', { skip: noTools }, async (ctx) => {
  const t = tempDir();
  try {
    const file = t.file('system.journal');
    const scratch = t.file('export');
    writeJournal(file, [sshd(T0, 1), cron(T0 + 1n, 1), sshd(T0 + 2n, 2)], scratch);
    const rec = new Recorder();
    const matches = [['_SYSTEMD_UNIT=ssh.service', '+', 'SYSLOG_IDENTIFIER=nothing']];
    const src = new JournalSource({ sink: rec.sink, onEvent: rec.onEvent, matches, params: { journalfiles: file }, since: 0 });
    ctx.after(() => src.close());
    await src.start();
    await rec.until(() => rec.lines.length === 2, 10_000, 'the first two entries');
    // followed: entries written later arrive too
    writeJournal(file, [cron(T0 + 3n, 2), sshd(T0 + 4n, 3)], scratch);
    await rec.until(() => rec.lines.length === 3, 10_000, 'the appended entry');
    assert.deepEqual(ports(rec), [1, 2, 3]);
    assert.equal(rec.lines[0], 'h sshd[1001]: Failed password for root from 192.0.2.1 port 1 ssh2');
    const p = rec.pieces[0]!;
    assert.deepEqual(p.info, { path: JOURNAL_PATH, journal: { time: Number(T0) / 1e6, text: '2023-11-14T22:13:20+00:00' } });
    assert.equal(p.ascii, true);
    const state = src.positions()[0] as JournalState;
    assert.equal(state.path, JOURNAL_PATH);
    assert.equal(state.time, Number(T0 + 4n) / 1e6);
    assert.match(state.cursor, /^s=[0-9a-f]+;i=5;/);
    await src.close();
    assert.deepEqual(rec.events, []);

    // stopped: more entries; a new source resumes after the cursor (nothing twice, nothing lost)
    writeJournal(file, [sshd(T0 + 5n, 4), cron(T0 + 6n, 3), sshd(T0 + 7n, 5)], scratch);
    const rec2 = new Recorder();
    const src2 = new JournalSource({ sink: rec2.sink, onEvent: rec2.onEvent, matches, params: { journalfiles: file }, resume: state, since: 0 });
    ctx.after(() => src2.close());
    await src2.start();
    await rec2.until(() => rec2.lines.length === 2, 10_000, 'the entries written while stopped');
    writeJournal(file, [sshd(T0 + 8n, 6)], scratch);
    await rec2.until(() => rec2.lines.length === 3, 10_000, 'a new entry');
    assert.deepEqual(ports(rec2), [4, 5, 6]);
    await src2.close();
  } finally {
    t.remove();
  }
});

test('a cursor older than the oldest entry of interest is not replayed; without a cursor or a time, entries from now on', { skip: noTools }, async (ctx) => {
  const t = tempDir();
  try {
    const file = t.file('system.journal');
    const scratch = t.file('export');
    writeJournal(file, [sshd(T0, 1), sshd(T0 + 10_000_000n, 2), sshd(T0 + 20_000_000n, 3)], scratch);
    const all = execFileSync('journalctl', [`--file=${file}`, '--output=json', '--no-pager'], { encoding: 'utf8' }).trimEnd().split('\n');
    const cursor1 = (JSON.parse(all[0]!) as { __CURSOR: string }).__CURSOR;
    const rec = new Recorder();
    const stale: JournalState = { path: JOURNAL_PATH, cursor: cursor1, time: Number(T0) / 1e6 };
    const src = new JournalSource({ sink: rec.sink, params: { journalfiles: file }, resume: stale, since: Number(T0 + 15_000_000n) / 1e6 });
    ctx.after(() => src.close());
    await src.start();
    await rec.until(() => rec.lines.length >= 1, 10_000, 'an entry');
    assert.deepEqual(ports(rec), [3]);
    await src.close();

    const rec2 = new Recorder();
    const src2 = new JournalSource({ sink: rec2.sink, params: { journalfiles: file } });
    ctx.after(() => src2.close());
    await src2.start();
    const soon = BigInt(Date.now()) * 1000n + 1_000_000n;
    writeJournal(file, [sshd(soon - 3_600_000_000n, 4), sshd(soon, 5)], scratch);
    await rec2.until(() => rec2.lines.length >= 1, 10_000, 'the new entry');
    assert.deepEqual(ports(rec2), [5]);
    await src2.close();
  } finally {
    t.remove();
  }
});

test('a cursor the journal does not know is dropped and reading starts from the oldest entry of interest', { skip: noTools }, async (ctx) => {
  const t = tempDir();
  try {
    const file = t.file('system.journal');
    writeJournal(file, [sshd(T0, 1), sshd(T0 + 1n, 2)], t.file('export'));
    const rec = new Recorder();
    const src = new JournalSource({ sink: rec.sink, onEvent: rec.onEvent, params: { journalfiles: file }, resume: { path: JOURNAL_PATH, cursor: 'not a cursor', time: 0 }, since: 0 });
    ctx.after(() => src.close());
    await src.start();
    await rec.until(() => rec.lines.length === 2, 10_000, 'both entries');
    assert.deepEqual(ports(rec), [1, 2]);
    assert.deepEqual(rec.events.map((e) => (e.kind === 'error' ? e.error.code : e.kind)), ['LJ614']);
    await src.close();
  } finally {
    t.remove();
  }
});

test('journalctl missing or failing is reported once and started again with back-off', async (ctx) => {
  const t = tempDir();
  try {
    const timers = new ManualTimers();
    const rec = new Recorder();
    const src = new JournalSource({ sink: rec.sink, onEvent: rec.onEvent, journalctl: t.file('no-journalctl'), timers, params: { journalflags: '0' } });
    ctx.after(() => src.close());
    await src.start();
    await rec.until(() => rec.events.length === 1, 5000, 'the error');
    const ev = rec.events[0]!;
    assert.equal(ev.kind === 'error' ? ev.error.code : '', 'LJ614');
    assert.match(ev.kind === 'error' ? ev.error.message : '', /journalctl not found/);
    assert.equal(timers.pending, 1, 'a restart is scheduled');
    timers.advance(60_000);
    // the same failure again is not said again, and yet another restart is scheduled
    assert.equal(timers.pending, 0);
    await waitFor(() => timers.pending === 1, 5000, 'the next restart');
    assert.equal(rec.events.length, 1);
    await src.close();
    assert.equal(timers.pending, 0);
  } finally {
    t.remove();
  }
});

test('hostile output: an entry longer than the cap is skipped, broken JSON ignored, the rest read', async (ctx) => {
  const t = tempDir();
  try {
    const fake = t.file('fake-journalctl');
    const good = (n: number): string => JSON.stringify({ __CURSOR: `c${n}`, __REALTIME_TIMESTAMP: '1700000000000000', _HOSTNAME: 'h', SYSLOG_IDENTIFIER: 'x', MESSAGE: `ok ${n}` });
    const huge = JSON.stringify({ __CURSOR: 'big', __REALTIME_TIMESTAMP: '1700000000000000', MESSAGE: 'A'.repeat(5000) });
    writeFileSync(t.file('out'), [good(1), huge, '{not json', '[1,2]', 'null', JSON.stringify({ MESSAGE: 'no cursor' }), good(2)].join('\n') + '\n');
    writeFileSync(fake, `#!/bin/sh\ncat '${t.file('out')}'\nexec sleep 30\n`);
    chmodSync(fake, 0o755);
    const rec = new Recorder();
    const src = new JournalSource({ sink: rec.sink, onEvent: rec.onEvent, journalctl: fake, maxEntryBytes: 1000, params: { journalflags: '0' } });
    ctx.after(() => src.close());
    await src.start();
    await rec.until(() => rec.lines.length === 2, 5000, 'the good entries');
    assert.deepEqual(rec.lines, ['h x: ok 1', 'h x: ok 2']);
    assert.deepEqual(rec.events.map((e) => e.kind), ['longLine']);
    assert.equal((src.positions()[0] as JournalState).cursor, 'c2');
    await src.close();
  } finally {
    t.remove();
  }
});
