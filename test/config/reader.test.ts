import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Diagnostics } from '../../src/config/diagnostics.js';
import { ConfigFiles, type LayeredConfig } from '../../src/config/reader.js';
import { referenceAvailable } from './oracle.js';
import { lines, makeTree, type Tree } from './tree.js';

function read(tree: Tree, name: string, diagnostics = new Diagnostics()): LayeredConfig {
  const cfg = new ConfigFiles(tree.dir, diagnostics).layered(name);
  assert.ok(cfg, `${name} is found`);
  return cfg;
}

function rel(tree: Tree, files: readonly string[]): string[] {
  return files.map((f) => f.slice(tree.dir.length + 1));
}

/** A tree exercising every layering rule at once. */
function layeredTree(): Tree {
  return makeTree({
    'x.conf': lines('[INCLUDES]', 'before = inc/before.conf', 'after = after.conf', '[DEFAULT]', 'd = conf', '[s]', 'a = conf', 'b = conf'),
    'x.d/10-first.conf': lines('[s]', 'b = d-first'),
    'x.d/20-second.conf': lines('[s]', 'c = d-second'),
    'x.d/20-second.local': lines('[s]', 'c = d-second-local'),
    'x.d/.hidden.conf': lines('[s]', 'a = hidden'),
    'x.local': lines('[s]', 'a = local', '[Init?family=inet6]', 'v = six'),
    'x.d/30-third.local': lines('[s]', 'a = d-local'),
    'inc/before.conf': lines('[INCLUDES]', 'before = deeper.conf', '[s]', 'z = before', '[Init]', 'v = four'),
    'inc/before.local': lines('[s]', 'z = before-local'),
    'inc/deeper.conf': lines('[DEFAULT]', 'd = deeper', 'e = deeper'),
    'after.conf': lines('[s]', 'y = after', 'b = after'),
  });
}

describe('layered reading', () => {
  it('reads NAME.conf, NAME.d/*.conf, NAME.local, NAME.d/*.local with includes and .local twins, in order', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const cfg = read(tree, 'x');
    assert.deepEqual(rel(tree, cfg.files), [
      'inc/deeper.conf', 'inc/before.conf', 'inc/before.local', 'x.conf', 'after.conf',
      // x.d/20-second.local is itself in the list of NAME.d/*.local, so it is not pulled in early.
      'x.d/10-first.conf', 'x.d/20-second.conf', 'x.local', 'x.d/20-second.local', 'x.d/30-third.local',
    ]);
  });

  it('merges sections key by key with later files winning, and accumulates [DEFAULT]', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const cfg = read(tree, 'x');
    const s = Object.fromEntries([...cfg.sections.get('s')!].map(([k, v]) => [k, v.value]));
    assert.deepEqual(s, { z: 'before-local', a: 'd-local', b: 'd-first', y: 'after', c: 'd-second-local' });
    assert.equal(cfg.defaults.get('d')!.value, 'conf');
    assert.equal(cfg.defaults.get('e')!.value, 'deeper');
  });

  it('remembers the value an option had before a later file replaced it (known/)', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const cfg = read(tree, 'x');
    const known = Object.fromEntries([...cfg.sections.get('KNOWN/s')!].map(([k, v]) => [k, v.value]));
    assert.deepEqual(known, { z: 'before', a: 'local', b: 'after', c: 'd-second' });
    assert.ok(!cfg.sectionNames().includes('KNOWN/s'), 'hidden sections are not listed');
  });

  it('merges a conditional section [Init?family=inet6] into [Init] with suffixed keys', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const init = read(tree, 'x').sections.get('Init')!;
    assert.deepEqual([...init.keys()], ['v', 'v?family=inet6']);
    assert.equal(init.get('v?family=inet6')!.value, 'six');
  });

  it('keeps the file and line of every value', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const b = read(tree, 'x').sections.get('s')!.get('b')!;
    assert.equal(b.file, tree.path('x.d/10-first.conf'));
    assert.equal(b.line, 2);
  });

  it('skips an include loop instead of recursing forever', (t) => {
    const tree = makeTree({
      'a.conf': lines('[INCLUDES]', 'before = b.conf', '[s]', 'a = 1'),
      'b.conf': lines('[INCLUDES]', 'before = a.conf', '[s]', 'b = 2'),
    });
    t.after(tree.remove);
    const cfg = read(tree, 'a');
    assert.deepEqual(rel(tree, cfg.files), ['b.conf', 'a.conf']);
    assert.equal(cfg.get('s', 'b'), '2');
  });

  it('includes absolute paths and several files per line-separated list', (t) => {
    const tree = makeTree({ 'one.conf': lines('[s]', 'o = 1'), 'two.conf': lines('[s]', 't = 2') });
    t.after(tree.remove);
    tree.write('x.conf', lines('[INCLUDES]', `after = ${tree.path('one.conf')}`, '        two.conf', '[s]'));
    assert.deepEqual(rel(tree, read(tree, 'x').files), ['x.conf', 'one.conf', 'two.conf']);
  });

  it('skips a missing include with a warning, but a missing .local silently', (t) => {
    const tree = makeTree({ 'x.conf': lines('[INCLUDES]', 'before = nothere.conf', 'after = optional.local', '[s]') });
    t.after(tree.remove);
    const d = new Diagnostics();
    assert.deepEqual(rel(tree, read(tree, 'x', d).files), ['x.conf']);
    assert.equal(d.warnings.length, 1);
    assert.equal(d.warnings[0]!.code, 'LJ106');
    assert.equal(d.warnings[0]!.place.line, 2);
  });

  it('interpolates include lists with the including file\'s [DEFAULT]', (t) => {
    const tree = makeTree({
      'x.conf': lines('[INCLUDES]', 'before = %(dist)s.conf', '[DEFAULT]', 'dist = debian', '[s]'),
      'debian.conf': lines('[s]', 'from = debian'),
    });
    t.after(tree.remove);
    assert.equal(read(tree, 'x').get('s', 'from'), 'debian');
  });

  it('returns null when no file of a name exists', (t) => {
    const tree = makeTree({});
    t.after(tree.remove);
    assert.equal(new ConfigFiles(tree.dir, new Diagnostics()).layered('missing'), null);
  });
});

/** fail2ban's own reader on the same tree: sections (hidden ones included) and defaults. */
function pythonRead(dir: string, name: string): unknown {
  const code = 'import json, sys\n' +
    'from fail2ban.client.configreader import ConfigReaderUnshared\n' +
    'r = ConfigReaderUnshared(basedir=sys.argv[1]); r.read(sys.argv[2])\n' +
    'print(json.dumps({"defaults": dict(r._defaults), "sections": {n: dict(s) for n, s in r._sections.items()}}))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, dir, name], { encoding: 'utf8' }));
}

describe('layered reading compared with fail2ban\'s reader', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  it('merges the same values into the same sections, hidden known/ sections included', (t) => {
    const tree = layeredTree();
    t.after(tree.remove);
    const cfg = read(tree, 'x');
    const obj = (m: ReadonlyMap<string, { value: string }>): Record<string, string> =>
      Object.fromEntries([...m].map(([k, v]) => [k, v.value]));
    const ours = { defaults: obj(cfg.defaults), sections: Object.fromEntries([...cfg.sections].map(([n, s]) => [n, obj(s)])) };
    assert.deepEqual(ours, pythonRead(tree.dir, 'x'));
  });
});
