import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { Diagnostics } from '../../src/config/diagnostics.js';
import { ConfigFiles, type LayeredConfig } from '../../src/config/reader.js';
import { referenceAvailable } from './oracle.js';
import { lines, makeTree, type Tree } from './tree.js';

const chain = Array.from({ length: 12 }, (_, i) => `c${i} = %(c${i + 1})s`).concat(['c12 = end%%']);

function tree(): Tree {
  return makeTree({
    'x.conf': lines(
      '[DEFAULT]', 'base = /var/log', 'who = default', 'only = in-default', 'pct = 100%%',
      '[Definition]', 'who = definition', 'path = %(base)s/auth.log', 'me = %(__name__)s', 'upper = %(BASE)s',
      'other = %(lt_file/datepattern)s', 'dflt = %(default/who)s', 'known = %(known/who)s more', 'kdflt = %(known/only)s',
      'nested = <%(who)s>', 'percent = %(pct)s and %%d', 'missing = %(nope)s', 'bad1 = 50%', 'bad2 = %(open',
      'badcase = %(Default/who)s', 'viaother = %(lt_file/uses_who)s', ...chain.slice(2),
      '[lt_file]', 'datepattern = {^LN-BEG}', 'uses_who = who is %(who)s',
    ),
    'x.local': lines('[Definition]', 'who = local', 'deep1 = %(c2)s', 'deep0 = %(c1)s', ...chain.slice(0, 2)),
  });
}

function load(t: Tree): LayeredConfig {
  return new ConfigFiles(t.dir, new Diagnostics()).layered('x')!;
}

function interpError(f: () => unknown): LogjailError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LogjailError);
    return e;
  }
  assert.fail('no error');
}

describe('%(...)s interpolation', () => {
  it('looks names up in the variables, then the section, then [DEFAULT]', (t) => {
    const x = tree();
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(cfg.get('Definition', 'path'), '/var/log/auth.log');
    assert.equal(cfg.get('Definition', 'nested'), '<local>');
    assert.equal(cfg.get('Definition', 'nested', new Map([['who', 'jail']])), '<jail>');
    assert.equal(cfg.get('Definition', 'path', new Map([['base', '/srv']])), '/srv/auth.log');
  });

  it('is case-insensitive in the names it looks up', (t) => {
    const x = tree();
    t.after(x.remove);
    assert.equal(load(x).get('Definition', 'upper'), '/var/log');
  });

  it('gives the section name for %(__name__)s', (t) => {
    const x = tree();
    t.after(x.remove);
    assert.equal(load(x).get('Definition', 'me'), 'Definition');
  });

  it('reads other sections, [DEFAULT] and previous values with sec/, default/ and known/', (t) => {
    const x = tree();
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(cfg.get('Definition', 'other'), '{^LN-BEG}');
    assert.equal(cfg.get('Definition', 'dflt'), 'default');
    assert.equal(cfg.get('Definition', 'known'), 'definition more');
    assert.equal(cfg.get('Definition', 'kdflt'), 'in-default', 'known/ falls back to [DEFAULT]');
  });

  it('expands a value found in another section in the context of the section being read', (t) => {
    const x = tree();
    t.after(x.remove);
    assert.equal(load(x).get('Definition', 'viaother'), 'who is local');
  });

  it('turns %% into a literal percent sign, also in referenced values', (t) => {
    const x = tree();
    t.after(x.remove);
    assert.equal(load(x).get('Definition', 'percent'), '100% and %d');
  });

  it('follows ten levels of references and refuses an eleventh', (t) => {
    const x = tree();
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(cfg.get('Definition', 'c3'), 'end%');
    const e = interpError(() => cfg.get('Definition', 'c1'));
    assert.equal(e.code, 'LJ104');
    assert.match(e.detail, /c1 → c2 → c3/);
  });

  it('reports an unknown name with the section, the key and the file', (t) => {
    const x = tree();
    t.after(x.remove);
    const e = interpError(() => load(x).get('Definition', 'missing'));
    assert.equal(e.code, 'LJ103');
    assert.equal(e.place.key, 'missing');
    assert.equal(e.place.section, 'Definition');
    assert.equal(e.place.file, x.path('x.conf'));
    assert.ok(e.place.line !== undefined && e.place.line > 0);
    assert.match(e.detail, /%\(nope\)s/);
  });

  it('rejects a lone % and an unclosed reference', (t) => {
    const x = tree();
    t.after(x.remove);
    const cfg = load(x);
    assert.equal(interpError(() => cfg.get('Definition', 'bad1')).code, 'LJ103');
    assert.equal(interpError(() => cfg.get('Definition', 'bad2')).code, 'LJ103');
  });

  it('only resolves sec/opt references written in lower case, as fail2ban', (t) => {
    const x = tree();
    t.after(x.remove);
    assert.equal(interpError(() => load(x).get('Definition', 'badcase')).code, 'LJ103');
  });
});

const KEYS = ['path', 'nested', 'upper', 'me', 'other', 'dflt', 'known', 'kdflt', 'viaother', 'percent', 'c3', 'c2', 'c1',
  'deep0', 'deep1', 'missing', 'bad1', 'bad2', 'badcase'];

/** fail2ban's reader: the value of each key, or "error". */
function pythonGet(dir: string, keys: readonly string[], vars: Record<string, string>): unknown[] {
  const code = 'import json, sys\n' +
    'from fail2ban.client.configreader import ConfigReaderUnshared\n' +
    'r = ConfigReaderUnshared(basedir=sys.argv[1]); r.read("x")\n' +
    'out = []\n' +
    'for k in json.loads(sys.argv[2]):\n' +
    '    try: out.append(r.get("Definition", k, vars=json.loads(sys.argv[3])))\n' +
    '    except Exception as e: out.append("error")\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, dir, JSON.stringify(keys), JSON.stringify(vars)], { encoding: 'utf8' })) as unknown[];
}

describe('%(...)s interpolation compared with fail2ban', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  for (const vars of [{}, { who: 'var', BASE: '/srv' }]) {
    it(`resolves every case like fail2ban with variables ${JSON.stringify(vars)}`, (t) => {
      const x = tree();
      t.after(x.remove);
      const cfg = load(x);
      const lower = new Map(Object.entries(vars).map(([k, v]) => [k.toLowerCase(), v]));
      const ours = KEYS.map((k) => {
        try {
          return cfg.get('Definition', k, lower);
        } catch (e) {
          if (e instanceof LogjailError) return 'error';
          throw e;
        }
      });
      assert.deepEqual(ours, pythonGet(x.dir, KEYS, vars));
    });
  }
});
