import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import {
  conditionalValue, escapeTag, hasFamilyConditionals, replaceTags, substituteTags,
} from '../../src/config/tags.js';
import { referenceAvailable } from './oracle.js';

const m = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
const obj = (x: ReadonlyMap<string, string>): Record<string, string> => Object.fromEntries(x);

describe('<tag> substitution among options', () => {
  it('replaces tags with other options, recursively', () => {
    const out = substituteTags(m({ a: '3', b: '<a>_3', c: '[<b>|<b>]' }));
    assert.deepEqual(obj(out), { a: '3', b: '3_3', c: '[3_3|3_3]' });
  });

  it('resolves nested tags inner first', () => {
    const values = m({ logtype: 'file', prefix: '<lt_<logtype>/prefix>', 'lt_file/prefix': 'FILE' });
    assert.equal(substituteTags(values).get('prefix'), 'FILE');
  });

  it('asks the lookup for tags that are not options, and leaves unknown tags as written', () => {
    const seen: string[] = [];
    const out = substituteTags(m({ re: '^<pre> from <HOST> <x/y>' }), {
      lookup: (t) => { seen.push(t); return t === 'pre' ? 'P' : undefined; },
    });
    assert.equal(out.get('re'), '^P from <HOST> <x/y>');
    assert.ok(seen.includes('HOST') && seen.includes('x/y'));
  });

  it('does not touch ignored tags, in values or as references', () => {
    const out = substituteTags(m({ a: '<b>', b: 'B', c: '<a>' }), { ignore: new Set(['b']) });
    assert.deepEqual(obj(out), { a: '<b>', b: 'B', c: '<b>' });
  });

  it('rejects a tag that refers to itself, directly or through others', () => {
    for (const values of [m({ a: 'x<a>' }), m({ a: '<b>', b: '<c>', c: '<a>' })]) {
      assert.throws(() => substituteTags(values), (e: unknown) => e instanceof LogjailError && e.code === 'LJ105');
    }
  });

  it('prefers opt?family=inet6 over opt for the conditional family=inet6', () => {
    const values = m({ cmd: '<tool> -I', tool: 'iptables', 'tool?family=inet6': 'ip6tables' });
    assert.equal(substituteTags(values, { conditional: 'family=inet6' }).get('cmd'), 'ip6tables -I');
    assert.equal(substituteTags(values).get('cmd'), 'iptables -I');
    assert.equal(conditionalValue(values, 'tool', 'family=inet6'), 'ip6tables');
    assert.equal(conditionalValue(values, 'tool', 'family=inet4'), 'iptables');
    assert.equal(conditionalValue(values, 'cmd', 'family=inet6'), '<tool> -I');
  });

  it('knows when an action has ?family= variants', () => {
    assert.equal(hasFamilyConditionals(['a', 'blocktype?family=inet6']), true);
    assert.equal(hasFamilyConditionals(['a', 'b?other=1']), false);
  });
});

describe('run-time tag replacement for action commands', () => {
  const props = m({ name: 'sshd', chain: 'f2b-<name>', tool: 'iptables', 'tool?family=inet6': 'ip6tables', cmd: '<tool> -A <chain>' });

  it('resolves the static tags of a command, recursively, with the conditional variant first', () => {
    assert.equal(replaceTags('<cmd> -s <ip>', props), 'iptables -A f2b-sshd -s <ip>');
    assert.equal(replaceTags('<cmd> -s <ip>', props, 'family=inet6'), 'ip6tables -A f2b-sshd -s <ip>');
  });

  it('knows <br> and <sp>, and asks a fallback for the rest', () => {
    assert.equal(replaceTags('a<br>b<sp>c', props), 'a\nb c');
    assert.equal(replaceTags('<fq-hostname>', props, '', (t) => (t === 'fq-hostname' ? 'host.example' : undefined)), 'host.example');
  });

  it('escapes shell characters in <matches> values', () => {
    const v = m({ matches: 'a; rm -rf / `x` $(y)\nnext' });
    assert.equal(replaceTags('echo <matches>', v), 'echo a\\; rm -rf / \\`x\\` \\$\\(y\\)\\nnext');
    assert.equal(escapeTag('"q" \'s\' <>'), '\\"q\\" \\\'s\\\' \\<\\>');
  });

  it('rejects values that keep producing new tags', () => {
    assert.throws(() => replaceTags('<a>', m({ a: '<a><a>' })), LogjailError);
  });
});

/** fail2ban's helpers on the same inputs: the resolved dict, or "error". */
function pythonSubstitute(cases: readonly { values: Record<string, string>; conditional: string; ignore: string[] }[]): unknown[] {
  const code = 'import json, sys\n' +
    'from fail2ban.helpers import substituteRecursiveTags\n' +
    'out = []\n' +
    'for c in json.load(sys.stdin):\n' +
    '    try: out.append(substituteRecursiveTags(c["values"], c["conditional"], ignore=c["ignore"]))\n' +
    '    except Exception: out.append("error")\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(cases), encoding: 'utf8' })) as unknown[];
}

function pythonReplace(cases: readonly { query: string; values: Record<string, string>; conditional: string }[]): unknown[] {
  const code = 'import json, sys\n' +
    'from fail2ban.server.action import CommandAction\n' +
    'out = []\n' +
    'for c in json.load(sys.stdin):\n' +
    '    try: out.append(CommandAction.replaceTag(c["query"], c["values"], conditional=c["conditional"]))\n' +
    '    except Exception: out.append("error")\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(cases), encoding: 'utf8' })) as unknown[];
}

describe('<tag> substitution compared with fail2ban', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  it('substitutes among options exactly like fail2ban', () => {
    const cases = [
      { values: { a: '3', b: '<a>_3', c: '<b><b>', d: '<zz> <a >' }, conditional: '', ignore: [] },
      { values: { logtype: 'file', p: '<lt_<logtype>/x>', 'lt_file/x': '<q>', q: 'Q' }, conditional: '', ignore: [] },
      { values: { a: '<b>', b: '<a>' }, conditional: '', ignore: [] },
      { values: { a: '<b>', b: 'B', 'b?family=inet6': 'B6' }, conditional: 'family=inet6', ignore: [] },
      { values: { a: '<b> <c>', b: 'B', c: '<b>' }, conditional: '', ignore: ['b'] },
      { values: { a: '<<b>>', b: 'c', c: 'C' }, conditional: '', ignore: [] },
      { values: { a: '<b><c>', b: '<', c: 'x>' }, conditional: '', ignore: [] },
    ];
    const ours = cases.map((c) => {
      try {
        return obj(substituteTags(m(c.values), { conditional: c.conditional, ignore: new Set(c.ignore) }));
      } catch (e) {
        if (e instanceof LogjailError) return 'error';
        throw e;
      }
    });
    assert.deepEqual(ours, pythonSubstitute(cases));
  });

  it('replaces run-time tags exactly like fail2ban', () => {
    const values = { name: 'sshd', chain: 'f2b-<name>', t: 'iptables', 't?family=inet6': 'ip6tables', matches: 'x;y$(z)' };
    const cases = [
      { query: '<t> -A <chain> -s <ip><br><sp>end', values, conditional: '' },
      { query: '<t> -A <chain>', values, conditional: 'family=inet6' },
      { query: 'echo "<matches>" <unknown>', values, conditional: '' },
      { query: 'no tags at all', values, conditional: '' },
    ];
    const ours = cases.map((c) => replaceTags(c.query, m(c.values), c.conditional));
    assert.deepEqual(ours, pythonReplace(cases));
  });
});
