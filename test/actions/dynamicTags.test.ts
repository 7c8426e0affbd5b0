import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { CommandRunner } from '../../src/actions/commandRunner.js';
import { substituteDynamic, type TagValues } from '../../src/actions/dynamicTags.js';
import { SerialQueue } from '../../src/actions/serialQueue.js';
import { pythonFloat, reversePointer } from '../../src/actions/tagValues.js';
import { tempDir } from './helpers.js';

function values(v: Record<string, string>, fields: Record<string, string> = {}): TagValues {
  return { fields, value: (t) => v[t] };
}

const runner = new CommandRunner({ queue: new SerialQueue() });

/** Run a built command with /bin/sh; its stdout. */
async function sh(script: string, args: readonly string[]): Promise<string> {
  const r = await runner.run({ script, args }, 10);
  assert.equal(r.ok, true, `script failed: ${r.stderr}`);
  return r.stdout;
}

/** Values a log line can carry into a ban, each an attempt to run `touch MARK`. */
function hostile(mark: string): string[] {
  return [
    `$(touch ${mark})`,
    `\`touch ${mark}\``,
    `a;touch ${mark}`,
    `a|touch ${mark}`,
    `a&&touch ${mark}`,
    `a\ntouch ${mark}`,
    `a\rtouch ${mark}`,
    `'; touch ${mark}; '`,
    `"; touch ${mark}; "`,
    `\\"; touch ${mark}; \\"`,
    `$(printf 'touch ${mark}' | sh)`,
    `\${IFS}$(touch${'${IFS}'}${mark})`,
    `a>${mark}`,
    `<(touch ${mark})`,
    `{touch,${mark}}`,
    `~root/*`,
    `$((1+1))`,
    `x\0$(touch ${mark})`,
  ];
}

describe('dynamic tags of a ban', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('writes harmless values into the script and passes the others as parameters', async () => {
    const cmd = await substituteDynamic('echo "<ip> <F-USER> <matches>"',
      values({ ip: '192.0.2.1', matches: 'a$(id)\nb' }, { user: 'x;y' }));
    assert.deepEqual(cmd, {
      script: 'f2bV_matches=${1} f2bV_F_user=${2} \necho "192.0.2.1 $f2bV_F_user $f2bV_matches"',
      args: ['a$(id)\nb', 'x;y'],
    });
  });

  it('reads <F-ID> as fid, <F-PORT> as fport, and puts nothing for a field the ban lacks', async () => {
    const cmd = await substituteDynamic('x <F-ID> <F-PORT> <F-HOST-NAME> <F-lower>', values({}, { fid: 'abc', fport: '22' }));
    assert.equal(cmd.script, 'x abc 22  <F-lower>');
  });

  it('leaves unknown tags (shell redirections) and substitutes each value only once', async () => {
    const cmd = await substituteDynamic('cat <file> | grep <ip>', values({ ip: '<ip>' }));
    assert.deepEqual(cmd, { script: 'f2bV_ip=${1} \ncat <file> | grep $f2bV_ip', args: ['<ip>'] });
  });

  it('numbers ten or more parameters with braces, so $10 is not read as ${1}0', async () => {
    const v: Record<string, string> = {};
    let cmdText = 'printf "%s|"';
    for (let i = 0; i < 12; i++) { v['t' + i] = `v${i};`; cmdText += ` "<t${i}>"`; }
    const cmd = await substituteDynamic(cmdText, values(v));
    assert.equal(await sh(cmd.script, cmd.args), Array.from({ length: 12 }, (_, i) => `v${i};|`).join(''));
  });

  it('keeps every hostile value inert and intact, quoted or not', async () => {
    const mark = tmp.file('pwned');
    for (const value of hostile(mark)) {
      for (const template of ['printf "%s" "<F-USER>"', 'printf "%s" <F-USER>', "printf '%s' '<F-USER>'", 'echo <matches> <fid>']) {
        const cmd = await substituteDynamic(template, values({ matches: value, fid: value }, { user: value }));
        const out = await sh(cmd.script, cmd.args);
        assert.equal(fs.existsSync(mark), false, `injection with ${JSON.stringify(value)} in ${template}: ${JSON.stringify(cmd)}`);
        if (template === 'printf "%s" "<F-USER>"') assert.equal(out, value.replace(/\0/g, '\uFFFD'), `value arrives intact: ${JSON.stringify(value)}`);
      }
    }
  });

  it('does not let a value break out through the parameter assignments either', async () => {
    const mark = tmp.file('pwned2');
    const evil = `x ${'$'}(touch ${mark}) \n touch ${mark}`;
    const cmd = await substituteDynamic('printf "%s" "<a>" "<b>"', values({ a: evil, b: evil + '2' }));
    const out = await sh(cmd.script, cmd.args);
    assert.equal(out, evil + evil + '2');
    assert.equal(fs.existsSync(mark), false);
  });
});

describe('tag values printed as fail2ban prints them', () => {
  it('prints times as Python floats', () => {
    assert.equal(pythonFloat(1700000000), '1700000000.0');
    assert.equal(pythonFloat(1700000000.25), '1700000000.25');
  });

  it('gives PTR names without the arpa suffix for <ip-rev>', () => {
    assert.equal(reversePointer('192.0.2.7'), '7.2.0.192.');
    assert.equal(reversePointer('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.');
    assert.equal(reversePointer('host.example'), '');
  });
});

const PY = '/usr/bin/python3';
const ORACLE = `
import json, sys
from fail2ban.server.action import CommandAction
for line in sys.stdin:
    case = json.loads(line)
    info = dict(case['values'])
    info['F-*'] = case['fields']
    r = CommandAction.replaceDynamicTags(case['command'], info)
    print(json.dumps(r if isinstance(r, list) else [r]))
`;

function referenceAvailable(): boolean {
  try {
    execFileSync(PY, ['-c', 'import fail2ban.server.action'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('dynamic tags compared with fail2ban 1.0.2', { skip: !referenceAvailable() && 'fail2ban not installed' }, () => {
  it('gives the same shell output as fail2ban for the same command and values', async () => {
    const cases: { command: string; values: Record<string, string>; fields: Record<string, string> }[] = [];
    const templates = [
      'printf "[%s]" "<ip>" "<F-USER>" "<matches>" <failures> "<F-ID>" "<F-PORT>" "<F-MISSING>"',
      'printf "[%s]" <ip> <fid><sp>x<br>printf "(%s)" end',
      'printf "[%s]" "<ipmatches>" "<ipjailmatches>" "<time>" "<bantime>" "<unknown>"',
    ];
    const valueSets = [
      { ip: '192.0.2.1', fid: '192.0.2.1', matches: 'plain line', failures: '3', time: '1700000000.0', bantime: '600', ipmatches: '', ipjailmatches: 'x' },
      { ip: 'host;name', fid: 'a b', matches: 'line 1 $(x)\nline 2 `y`', failures: '0', time: '1.5', bantime: '-1', ipmatches: "it's", ipjailmatches: 'a"b' },
    ];
    const fieldSets = [{ user: 'root', fid: 'id1', fport: '22' }, { user: "'; rm -rf / #", fid: '$HOME', fport: 'a|b' }];
    for (const command of templates) for (const v of valueSets) for (const fields of fieldSets) cases.push({ command, values: v, fields });
    const out = execFileSync(PY, ['-c', ORACLE], { input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n', encoding: 'utf8' });
    const reference = out.trim().split('\n').map((l) => JSON.parse(l) as string[]);
    assert.equal(reference.length, cases.length);
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const ref = reference[i]!;
      // fail2ban runs ["script", v0, v1...] as sh -c script v0 v1 (values from $0)
      const expected = await sh(ref[0]!.replace(/^((?:f2bV_\w+=\$\d+ )*)/, (vars: string) => vars.replace(/\$(\d+)/g, (_m, n: string) => `\${${Number(n) + 1}}`)), ref.slice(1));
      const mine = await substituteDynamic(c.command, values(c.values, c.fields));
      assert.equal(await sh(mine.script, mine.args), expected, JSON.stringify(c));
      // values that fail2ban passes as parameters are parameters here too
      assert.deepEqual(mine.args, ref.slice(1), JSON.stringify(c));
    }
  });
});
