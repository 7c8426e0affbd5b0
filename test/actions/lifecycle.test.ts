/**
 * The command action's life cycle compared with fail2ban 1.0.2's CommandAction: the same
 * scenario (start, bans and unbans per family, flush, stop, lost firewall state, repairs) is
 * played on both with a fake shell, and the commands each one runs, in order, must agree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { CommandAction } from '../../src/actions/commandAction.js';
import { CommandRunner, type ShellCommand } from '../../src/actions/commandRunner.js';
import type { ProcessResult } from '../../src/actions/process.js';
import type { ActionDefinition } from '../../src/config/types.js';
import { hasFamilyConditionals } from '../../src/config/tags.js';
import { makeBan } from './helpers.js';

type Step = ['start'] | ['stop'] | ['flush'] | ['reload'] | ['check'] | ['break']
  | ['ban' | 'unban' | 'reban' | 'prolong', string];

interface Scenario {
  readonly name: string;
  /** Action options: commands, parameters (conditional ones as "key?family=inet6"), flags. */
  readonly props: Readonly<Record<string, string | boolean>>;
  readonly steps: readonly Step[];
}

/**
 * The fake shell, the same on both sides: a command containing NEED_OK fails while the
 * "firewall" is broken, DO_REPAIR mends it, DO_BREAK breaks it, ALWAYS_FAIL always fails.
 */
const FAKE_SHELL_PY = `
import json, sys
from fail2ban.server import action as A
A.allowed_ipv6 = lambda: True
from fail2ban.server.action import CommandAction
for line in sys.stdin:
    sc = json.loads(line)
    state = {'ok': True}
    log = []
    def execute(cmd, timeout=60, **kw):
        text = cmd if isinstance(cmd, str) else cmd[0]
        log.append(text)
        if 'DO_REPAIR' in text: state['ok'] = True
        if 'DO_BREAK' in text: state['ok'] = False
        return not ('ALWAYS_FAIL' in text or ('NEED_OK' in text and not state['ok']))
    CommandAction.executeCmd = staticmethod(execute)
    a = CommandAction(None, 'act')
    for k, v in sc['props'].items():
        setattr(a, k, v)
    for step in sc['steps']:
        op = step[0]
        try:
            if op == 'break': state['ok'] = False
            elif op == 'check': log.append('=check %s' % a.consistencyCheck())
            elif len(step) == 1: getattr(a, op)()
            else:
                ip = step[1]
                getattr(a, op)({'ip': ip, 'family': 'inet6' if ':' in ip else 'inet4'})
        except Exception as e:
            log.append('!%s' % op)
    print(json.dumps(log))
`;

class FakeShell extends CommandRunner {
  readonly ran: string[] = [];
  ok = true;
  override run(cmd: ShellCommand): Promise<ProcessResult> {
    const text = cmd.script;
    this.ran.push(text);
    if (text.includes('DO_REPAIR')) this.ok = true;
    if (text.includes('DO_BREAK')) this.ok = false;
    const ok = !(text.includes('ALWAYS_FAIL') || (text.includes('NEED_OK') && !this.ok));
    return Promise.resolve({ ok, code: ok ? 0 : 1, signal: null, timedOut: false, stdout: '', stderr: '' });
  }
}

const COMMANDS = new Set(['actionstart', 'actionstop', 'actionflush', 'actionreload', 'actioncheck', 'actionrepair',
  'actionban', 'actionprolong', 'actionreban', 'actionunban']);

function definition(props: Scenario['props']): ActionDefinition {
  const commands: Record<string, string> = {};
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v !== 'string') continue;
    properties[k] = v;
    if (COMMANDS.has(k)) commands[k] = v;
  }
  const onDemand = props['actionstart_on_demand'];
  const onUnban = props['actionrepair_on_unban'];
  return {
    file: 'act', actname: 'act', path: '', python: false, commands, properties, timeout: 60, norestored: false,
    ...(typeof onDemand === 'boolean' ? { startOnDemand: onDemand } : {}),
    ...(typeof onUnban === 'boolean' ? { repairOnUnban: onUnban } : {}),
    hasFamilyConditionals: hasFamilyConditionals(Object.keys(properties)), place: {},
  };
}

async function play(sc: Scenario): Promise<string[]> {
  const shell = new FakeShell();
  const a = new CommandAction(definition(sc.props), { runner: shell, jail: { name: 'j' } });
  for (const step of sc.steps) {
    const [op] = step;
    try {
      if (op === 'break') shell.ok = false;
      else if (op === 'check') shell.ran.push(`=check ${(await a.consistencyCheck()) ? 'True' : 'False'}`);
      else if (step.length === 1) await a[op as 'start' | 'stop' | 'flush' | 'reload']();
      else await a[op as 'ban' | 'unban' | 'reban' | 'prolong'](makeBan({ ip: step[1]! }));
    } catch {
      shell.ran.push('!' + op);
    }
  }
  return shell.ran;
}

const FIREWALL = {
  actionstart: 'start <fw> NEED_OK',
  actionstop: 'stop <fw>',
  actionban: 'ban <ip> <fw> <family> NEED_OK',
  actionunban: 'unban <ip> <fw> NEED_OK',
  actioncheck: 'check <fw> NEED_OK',
  fw: 'fw4',
  'fw?family=inet6': 'fw6',
};

const SCENARIOS: Scenario[] = [
  { name: 'on-demand start per family, unbans only where bans are', props: FIREWALL,
    steps: [['start'], ['unban', '192.0.2.9'], ['ban', '192.0.2.1'], ['ban', '192.0.2.2'], ['ban', '2001:db8::1'], ['unban', '192.0.2.1'], ['unban', '2001:db8::1'], ['stop'], ['stop']] },
  { name: 'start at jail start when not on demand', props: { ...FIREWALL, actionstart_on_demand: false },
    steps: [['start'], ['ban', '192.0.2.1'], ['stop']] },
  { name: 'no family variants: one start, one stop', props: { actionstart: 'start', actionstop: 'stop', actionban: 'ban <ip> <family>', actionflush: 'flush' },
    steps: [['start'], ['ban', '192.0.2.1'], ['ban', '2001:db8::1'], ['flush'], ['unban', '192.0.2.1'], ['stop']] },
  { name: 'flush per family with bans, then no unban', props: { ...FIREWALL, actionflush: 'flush <fw>' },
    steps: [['ban', '192.0.2.1'], ['ban', '2001:db8::2'], ['flush'], ['unban', '192.0.2.1'], ['ban', '192.0.2.3'], ['stop']] },
  { name: 'repair with actionrepair and retry', props: { ...FIREWALL, actionrepair: 'repair <fw> DO_REPAIR' },
    steps: [['ban', '192.0.2.1'], ['break'], ['ban', '192.0.2.2'], ['break'], ['unban', '192.0.2.2'], ['check'], ['break'], ['check'], ['stop']] },
  { name: 'repair of an unban when allowed', props: { ...FIREWALL, actionrepair: 'repair <fw> DO_REPAIR', actionrepair_on_unban: true },
    steps: [['ban', '192.0.2.1'], ['break'], ['unban', '192.0.2.1']] },
  { name: 'repair by stop and start (family variants)', props: { ...FIREWALL, actionstop: 'stop <fw> DO_REPAIR' },
    steps: [['ban', '192.0.2.1'], ['ban', '2001:db8::1'], ['break'], ['ban', '2001:db8::2'], ['stop']] },
  { name: 'failed repair', props: { ...FIREWALL, actionrepair: 'repair ALWAYS_FAIL' },
    steps: [['ban', '192.0.2.1'], ['break'], ['ban', '192.0.2.2'], ['check'], ['ban', '192.0.2.3']] },
  { name: 'retry without check', props: { actionban: 'ban <ip> NEED_OK', actionunban: 'unban <ip> ALWAYS_FAIL' },
    steps: [['break'], ['ban', '192.0.2.1'], ['ban', '192.0.2.1'], ['unban', '192.0.2.1']] },
  { name: 'reban, prolong, reload', props: { ...FIREWALL, actionreban: 'reban <ip>', actionprolong: 'prolong <ip> <fw>', actionreload: 'reload <fw>' },
    steps: [['reload'], ['reban', '192.0.2.1'], ['prolong', '192.0.2.1'], ['reload'], ['ban', '2001:db8::3'], ['reload']] },
  { name: 'failing start keeps the ban from running', props: { ...FIREWALL, actionstart: 'start <fw> ALWAYS_FAIL' },
    steps: [['ban', '192.0.2.1'], ['ban', '192.0.2.2'], ['stop']] },
];

function referenceAvailable(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import fail2ban.server.action'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('command action life cycle compared with fail2ban 1.0.2', { skip: !referenceAvailable() && 'fail2ban not installed' }, () => {
  const input = SCENARIOS.map((s) => JSON.stringify({ props: s.props, steps: s.steps })).join('\n') + '\n';
  const reference = referenceAvailable()
    ? execFileSync('/usr/bin/python3', ['-c', FAKE_SHELL_PY], { input, encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as string[])
    : [];

  SCENARIOS.forEach((sc, i) => {
    it(`runs the same commands as fail2ban: ${sc.name}`, async () => {
      assert.deepEqual(await play(sc), reference[i]);
    });
  });
});
