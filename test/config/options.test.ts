import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { extractOptions, splitWithOptions } from '../../src/config/options.js';
import { referenceAvailable } from './oracle.js';

function parsed(text: string): unknown {
  try {
    const r = extractOptions(text);
    return [r.name, { ...r.options }];
  } catch (e) {
    if (e instanceof LogjailError) return 'error';
    throw e;
  }
}

describe('name[key=value] options', () => {
  it('reads a bare name without options', () => {
    assert.deepEqual(parsed('sshd'), ['sshd', {}]);
  });

  it('reads options separated by commas, with quoted values holding commas and brackets', () => {
    assert.deepEqual(parsed('iptables[name=SSH, port="22,2222", chain=\'IN]PUT\', protocol=tcp]'),
      ['iptables', { name: 'SSH', port: '22,2222', chain: 'IN]PUT', protocol: 'tcp' }]);
  });

  it('reads several bracket groups, with or without space between them', () => {
    assert.deepEqual(parsed('a[x=1][y=2] [z=3]'), ['a', { x: '1', y: '2', z: '3' }]);
  });

  it('strips keys and values, and lets a later key win', () => {
    assert.deepEqual(parsed('a[ x =1]'), 'error', 'no space is allowed between a key and "="');
    assert.deepEqual(parsed('a[x=  1 , x=2 ]'), ['a', { x: '2' }]);
  });

  it('accepts empty options, a trailing comma and values spanning lines', () => {
    assert.deepEqual(parsed('a[]'), ['a', {}]);
    assert.deepEqual(parsed('a[x=1,]'), ['a', { x: '1' }]);
    assert.deepEqual(parsed('a[x=1,\n   y="2"\n]'), ['a', { x: '1', y: '2' }]);
  });

  it('reports malformed options with the text', () => {
    for (const bad of ['a[x=1', 'a[x="1" ]', '[x=1]', 'a[novalue]', 'a[x="1"y]', '']) {
      assert.throws(() => extractOptions(bad, { file: 'jail.local', line: 3, key: 'action' }),
        (e: unknown) => e instanceof LogjailError && e.code === 'LJ108' && e.place.line === 3, bad);
    }
  });
});

describe('splitting action lists', () => {
  it('splits at whitespace outside brackets, keeping multi-line brackets together', () => {
    assert.deepEqual(splitWithOptions('a[x=1] b c[y="1 2"]\n d[e=f,\n g=h]').map((s) => s.trim()),
      ['a[x=1]', 'b', 'c[y="1 2"]', 'd[e=f,\n g=h]']);
  });

  it('keeps a name and its bracket together across a space', () => {
    assert.deepEqual(splitWithOptions('a [x=1] b').map((s) => s.trim()), ['a [x=1]', 'b']);
  });
});

const EXTRACT = ['a[name = SSH]', 'a[name=SSH]', 'a[x= "q,r"]', 'a[x="b" ]', 'a[x=1][y=2]', 'a[x=1] [y=2]', 'a[x=1,]', 'a[]',
  'a [x=1]', 'a[x="a]b", y=\'c,d\']', 'a[x=a b="c,d"]', 'a[x=1\n]', 'a[x="1"\n]', 'a[x=1]]', 'a[x=[1]]', 'a[x.y-z_w=1]',
  'a[x=1, , y=2]', 'name ', 'a[x="1",y=\'2\'][z=]', 'a[x=1] trailing', 'a[x=1]  \n'];
const SPLIT = ['a[x=1] b c[y="1 2"]\n d[e=f,\n g=h]', 'a [x=1] b', 'a[x=a b="c,d"] z', 'a[x="a"b] c', '[x] y', 'a[x=1]b c',
  'a[x=1]\n\n  b', '%(x)s[port="1", protocol="tcp"]\n  mail[dest=a@b]', '  lead\ttabs\n\n', 'a[x="1 2" , y=2] [z=3] b',
  'a[x=1, y=2]c d', 'a[x="1]" ] b', 'a[x=b=c] d', 'a[x=1 y=2] z', 'a[x=1 y="2,3" z=4] w', 'a[x=\'1\',,y=2] b', 'a[][x=1] b'];

function python(kind: 'extract' | 'split', inputs: readonly string[]): unknown[] {
  const code = 'import json, sys\n' +
    'from fail2ban.helpers import extractOptions, splitWithOptions\n' +
    'out = []\n' +
    'for s in json.load(sys.stdin):\n' +
    '    try: out.append(list(extractOptions(s)) if sys.argv[1] == "extract" else [x.strip() for x in splitWithOptions(s)])\n' +
    '    except Exception: out.append("error")\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, kind], { input: JSON.stringify(inputs), encoding: 'utf8' })) as unknown[];
}

describe('options compared with fail2ban', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  it('extracts names and options like fail2ban, accepting and rejecting the same texts', () => {
    assert.deepEqual(EXTRACT.map(parsed), python('extract', EXTRACT));
  });

  it('splits lists like fail2ban', () => {
    assert.deepEqual(SPLIT.map((s) => splitWithOptions(s).map((x) => x.trim())), python('split', SPLIT));
  });
});
