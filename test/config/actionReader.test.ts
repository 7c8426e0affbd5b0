import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { nameAction, readAction, readActionWith } from '../../src/config/actionReader.js';
import { Diagnostics } from '../../src/config/diagnostics.js';
import { ConfigFiles } from '../../src/config/reader.js';
import { lines, makeTree, type Tree } from './tree.js';

/** An action written for these tests, shaped like the firewall actions (base file + variant). */
function actions(): Tree {
  return makeTree({
    'action.d/fw-base.conf': lines(
      '[Definition]',
      'actionstart = <fw> -N f2b-<name>',
      '              <fw> -I <chain> -p <protocol> --dport <port> -j f2b-<name>',
      'actionstop = <fw> -X f2b-<name>',
      'actionban = <fw> -I f2b-<name> -s <ip> -j <blocktype>',
      'actionunban = <fw> -D f2b-<name> -s <ip> -j <blocktype>',
      'actioncheck = <fw> -C f2b-<name> -s %(probe)s',
      'probe = 192.0.2.1',
      'actionprolong = echo <bantime> <matches> <timeout>',
      '[Init]',
      'chain = INPUT',
      'port = 1:65535',
      'protocol = tcp',
      'blocktype = REJECT',
      'fw = fwtool <lock>',
      'lock = -w',
      '[Init?family=inet6]',
      'blocktype = REJECT6',
      'fw = fwtool6 <lock>',
    ),
    'action.d/fw-multi.conf': lines('[INCLUDES]', 'before = fw-base.conf', '[Definition]', 'actionflush = <fw> -F f2b-<name>',
      'norestored = yes', 'actionstart_on_demand = false'),
    'action.d/notify.conf': lines('[DEFAULT]', 'jailname = nobody', 'maxretry = 0', '[Definition]', 'actionban = notify --jail %(jailname)s --after %(maxretry)s <ip> <maxretry>',
      '[Init]', 'timeout = 2m'),
    'action.d/loop.conf': lines('[Definition]', 'actionban = <a>', '[Init]', 'a = <b>', 'b = x<a>'),
    'action.d/badtimeout.conf': lines('[Definition]', 'actionban = x', '[Init]', 'timeout = soon'),
  });
}

function read(tree: Tree, name: string, params: Record<string, string> = {}, jail = 'sshd', vars?: Record<string, string>) {
  return readAction(tree.dir, name, params, vars === undefined ? { name: jail } : { name: jail, options: vars });
}

describe('action naming', () => {
  it('names an action after its file, and suffixes it when name differs from the jail', () => {
    assert.equal(nameAction('iptables', {}, 'sshd')['actname'], 'iptables');
    assert.equal(nameAction('iptables', {}, 'sshd')['name'], 'sshd');
    assert.equal(nameAction('iptables', { name: 'SSH' }, 'sshd')['actname'], 'iptables-SSH');
    assert.equal(nameAction('iptables', { name: 'sshd-udp' }, 'sshd')['actname'], 'iptables-udp');
    assert.equal(nameAction('iptables', { name: 'SSH', actname: 'mine' }, 'sshd')['actname'], 'mine');
  });
});

describe('action reader', () => {
  it('resolves commands with the parameters over [Init], keeping run-time tags', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const a = read(tree, 'fw-multi', { port: 'ssh', name: 'SSH' });
    assert.equal(a.actname, 'fw-multi-SSH');
    assert.equal(a.commands.actionstart, '<fw> -N f2b-SSH\n<fw> -I INPUT -p tcp --dport ssh -j f2b-SSH');
    assert.equal(a.commands.actionban, '<fw> -I f2b-SSH -s <ip> -j <blocktype>', 'options with family variants are left for run time');
    assert.equal(a.commands.actionflush, '<fw> -F f2b-SSH');
    assert.equal(a.commands.actioncheck, '<fw> -C f2b-SSH -s 192.0.2.1');
    assert.equal(a.commands.actionprolong, 'echo <bantime> <matches> <timeout>', 'bantime, timeout and matches stay for run time');
  });

  it('hands parameters and [Init] values over raw, with their ?family= variants', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const p = read(tree, 'fw-multi', { port: 'ssh' }).properties;
    assert.equal(p['port'], 'ssh');
    assert.equal(p['fw'], 'fwtool <lock>');
    assert.equal(p['fw?family=inet6'], 'fwtool6 <lock>');
    assert.equal(p['blocktype?family=inet6'], 'REJECT6');
    assert.equal(p['name'], 'sshd');
    assert.equal(p['actname'], 'fw-multi');
    assert.ok(!Object.keys(p).some((k) => k.startsWith('known/')));
  });

  it('reads the flags and knows about family variants', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const a = read(tree, 'fw-multi');
    assert.equal(a.norestored, true);
    assert.equal(a.startOnDemand, false);
    assert.equal(a.hasFamilyConditionals, true);
    const n = read(tree, 'notify');
    assert.equal(n.norestored, false);
    assert.equal(n.startOnDemand, undefined);
    assert.equal(n.hasFamilyConditionals, false);
  });

  it('uses the jail\'s options as %(...)s variables and as tags', (t) => {
    const tree = actions();
    t.after(tree.remove);
    assert.equal(read(tree, 'notify').commands.actionban, 'notify --jail nobody --after 0 <ip> 0');
    const a = read(tree, 'notify', {}, 'web', { maxretry: '4', jailname: 'web' });
    assert.equal(a.commands.actionban, 'notify --jail web --after 4 <ip> 4');
  });

  it('reads timeout as a duration, 60 seconds when absent', (t) => {
    const tree = actions();
    t.after(tree.remove);
    assert.equal(read(tree, 'notify').timeout, 120);
    assert.equal(read(tree, 'fw-base').timeout, 60);
    assert.throws(() => read(tree, 'badtimeout'), (e: unknown) => e instanceof LogjailError && e.code === 'LJ111');
  });

  it('recognises a Python action, flags it and warns that it cannot run', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const d = new Diagnostics();
    const a = readActionWith(new ConfigFiles(tree.dir, d), 'smtp.py', { dest: 'root', actname: 'mail' }, { name: 'sshd' });
    assert.equal(a.python, true);
    assert.equal(a.actname, 'mail');
    assert.deepEqual({ ...a.properties }, { dest: 'root' });
    assert.equal(d.warnings[0]?.code, 'LJ113');
  });

  it('reads an action given as an absolute name without extension', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const a = readAction('/nonexistent', tree.path('action.d/notify'), {}, { name: 'web' });
    assert.equal(a.actname, tree.path('action.d/notify'));
    assert.equal(a.timeout, 120);
  });

  it('reports a missing action file and self-referencing tags', (t) => {
    const tree = actions();
    t.after(tree.remove);
    assert.throws(() => read(tree, 'nothere'), (e: unknown) => e instanceof LogjailError && e.code === 'LJ107');
    assert.throws(() => read(tree, 'loop'), (e: unknown) => e instanceof LogjailError && e.code === 'LJ105');
  });

  it('returns frozen results', (t) => {
    const tree = actions();
    t.after(tree.remove);
    const a = read(tree, 'fw-multi');
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.properties) && Object.isFrozen(a.commands));
  });
});
