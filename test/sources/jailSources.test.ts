import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import type { JailConfig } from '../../src/config/types.js';
import { FileSource, GlobSource, JournalSource, jailSources, sourceKind } from '../../src/sources/index.js';
import { makeTree, lines } from '../config/tree.js';
import { Recorder } from './helpers.js';

function jailOf(jailLocal: string, extraFilter = ''): { jail: JailConfig; remove: () => void } {
  const tree = makeTree({
    'jail.conf': lines('[DEFAULT]', 'enabled = true'),
    'filter.d/demo.conf': lines('[Definition]', 'failregex = ^fail <HOST>$', extraFilter),
    'jail.local': jailLocal,
  });
  const cfg = loadConfig(tree.dir);
  const entry = cfg.jails.find((j) => j.name === 'demo')!;
  assert.equal(entry.error, undefined, entry.error?.message);
  return { jail: entry.config!, remove: () => tree.remove() };
}

test('a jail gets one source per logpath: files follow paths, globs follow patterns, head and tail as written', async () => {
  const { jail, remove } = jailOf(lines('[demo]', 'filter = demo', 'backend = polling', 'logpath = /tmp/x-logjail-nonexistent.log', '  /tmp/x-logjail-*.log tail', '  /tmp/x-logjail-nonexistent.log'));
  try {
    const rec = new Recorder();
    const sources = jailSources(jail, { sink: rec.sink });
    assert.deepEqual(sources.map((s) => s.constructor.name), ['FileSource', 'GlobSource']);
    assert.ok(sources[0] instanceof FileSource && sources[0].path === '/tmp/x-logjail-nonexistent.log');
    assert.ok(sources[1] instanceof GlobSource && sources[1].pattern === '/tmp/x-logjail-*.log');
    assert.equal(sourceKind(jail), 'polling');
  } finally {
    remove();
  }
});

test('a stored position is handed to the source of its path', async () => {
  const tree = makeTree({});
  try {
    const log = tree.path('a.log');
    writeFileSync(log, 'one\ntwo\n');
    const j = jailOf(lines('[demo]', 'filter = demo', 'backend = auto', `logpath = ${log}`));
    try {
      const rec1 = new Recorder();
      const s1 = jailSources(j.jail, { sink: rec1.sink })[0]!;
      await s1.start();
      const state = s1.positions()[0]!;
      await s1.close();
      writeFileSync(log, 'one\ntwo\nthree\n');
      const rec2 = new Recorder();
      const s2 = jailSources(j.jail, { sink: rec2.sink, position: (p) => (p === log ? state : undefined) })[0]!;
      await s2.start();
      assert.deepEqual(rec2.lines, ['three']);
      await s2.close();
    } finally {
      j.remove();
    }
  } finally {
    tree.remove();
  }
});

test('backend = systemd gives one journal source; a journalmatch term that is not FIELD=value is a configuration error with its place', () => {
  const ok = jailOf(lines('[demo]', 'filter = demo', 'backend = systemd[journalflags=1]'), 'journalmatch = _SYSTEMD_UNIT=sshd.service + _COMM=sshd');
  try {
    const sources = jailSources(ok.jail, { sink: () => {} });
    assert.equal(sources.length, 1);
    assert.ok(sources[0] instanceof JournalSource);
  } finally {
    ok.remove();
  }
  const bad = jailOf(lines('[demo]', 'filter = demo', 'backend = systemd'), 'journalmatch = --output=cat');
  try {
    assert.throws(() => jailSources(bad.jail, { sink: () => {} }), (e: Error) => /LJ109/.test(e.message) && /filter\.d\/demo\.conf:3/.test(e.message));
  } finally {
    bad.remove();
  }
});

test('pyinotify and gamin mean inotify; an unknown logencoding is a configuration error of the jail', () => {
  const a = jailOf(lines('[demo]', 'filter = demo', 'backend = pyinotify', 'logpath = /tmp/x.log'));
  try {
    assert.equal(sourceKind(a.jail), 'inotify');
  } finally {
    a.remove();
  }
  const b = jailOf(lines('[demo]', 'filter = demo', 'logencoding = klingon', 'logpath = /tmp/x.log'));
  try {
    assert.throws(() => jailSources(b.jail, { sink: () => {} }), (e: Error) => /LJ109/.test(e.message) && /logencoding/.test(e.message));
  } finally {
    b.remove();
  }
});
