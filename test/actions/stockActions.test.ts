/**
 * Debian's stock action.d files of fail2ban 1.0.2 (/etc/fail2ban), read by readAction() with the
 * parameters jail.conf gives them, run unchanged by CommandAction against the real iptables,
 * ip6tables, ipset and nft, inside a network namespace each suite creates and deletes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CommandAction } from '../../src/actions/commandAction.js';
import { CommandRunner } from '../../src/actions/commandRunner.js';
import { SerialQueue } from '../../src/actions/serialQueue.js';
import type { Ban } from '../../src/actions/types.js';
import { readAction } from '../../src/config/actionReader.js';
import { actionFrom, haveProgram, lines, makeBan, Namespace, namespacesAvailable, RecordingLog, tempDir } from './helpers.js';

const STOCK = '/etc/fail2ban';
/** What jail.conf's action_ passes: banaction[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s"]. */
const SSHD_PARAMS = { port: 'ssh', protocol: 'tcp', chain: '<known/chain>' };

const available = namespacesAvailable() && fs.existsSync(`${STOCK}/action.d/iptables-multiport.conf`);

function stockAction(name: string, ns: Namespace, log = new RecordingLog()): CommandAction {
  const def = readAction(STOCK, name, SSHD_PARAMS, { name: 'sshd' });
  return new CommandAction(def, {
    runner: new CommandRunner({ prefix: ns.prefix, queue: new SerialQueue(), log }),
    jail: { name: 'sshd', banTime: 600 }, log,
  });
}

const ban = (ip: string): Ban => makeBan({ ip, jail: 'sshd' });

describe('stock iptables-multiport', { skip: !(available && haveProgram('iptables')) && 'needs root, ip netns, iptables and /etc/fail2ban' }, () => {
  let ns: Namespace;
  before(() => { ns = new Namespace(); });
  after(() => ns.remove());
  const v4 = (...a: string[]) => ns.exec('iptables', '-w', ...a);
  const v6 = (...a: string[]) => ns.exec('ip6tables', '-w', ...a);

  it('bans into its chain per family, unbans, flushes and stops', async () => {
    const a = stockAction('iptables-multiport', ns);
    await a.start();
    assert.equal(ns.tryExec('iptables', '-w', '-S', 'f2b-sshd'), null, 'started on demand: nothing at jail start');
    await a.ban(ban('192.0.2.1'));
    await a.ban(ban('192.0.2.2'));
    await a.ban(ban('2001:db8::1'));
    assert.match(v4('-S', 'f2b-sshd'), /-A f2b-sshd -s 192\.0\.2\.1\/32 -j REJECT --reject-with icmp-port-unreachable/);
    assert.match(v4('-S', 'INPUT'), /-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd/);
    assert.match(v6('-S', 'f2b-sshd'), /-A f2b-sshd -s 2001:db8::1\/128 -j REJECT --reject-with icmp6-port-unreachable/);
    await a.unban(ban('192.0.2.1'));
    assert.doesNotMatch(v4('-S', 'f2b-sshd'), /192\.0\.2\.1\//);
    assert.match(v4('-S', 'f2b-sshd'), /192\.0\.2\.2\//);
    await a.flush();
    assert.doesNotMatch(v4('-S', 'f2b-sshd'), /192\.0\.2/);
    assert.doesNotMatch(v6('-S', 'f2b-sshd'), /2001:db8/);
    await a.stop();
    assert.equal(ns.tryExec('iptables', '-w', '-S', 'f2b-sshd'), null);
    assert.equal(ns.tryExec('ip6tables', '-w', '-S', 'f2b-sshd'), null);
    assert.doesNotMatch(v4('-S', 'INPUT'), /f2b-sshd/);
  });

  it('restores its chain by stop and start when someone flushed the firewall, then bans', async () => {
    const log = new RecordingLog();
    const a = stockAction('iptables-multiport', ns, log);
    await a.ban(ban('192.0.2.10'));
    ns.exec('iptables', '-w', '-F');
    ns.exec('iptables', '-w', '-X');
    await a.ban(ban('192.0.2.11'));
    assert.match(v4('-S', 'f2b-sshd'), /192\.0\.2\.11\//);
    assert.match(v4('-S', 'INPUT'), /-j f2b-sshd/);
    assert.equal(a.banEpoch, 1, 'older bans need a reban');
    assert.ok(log.has(/invariant check failed; trying to restore a sane environment/));
    await a.stop();
  });
});

describe('stock nftables', { skip: !available && 'needs root, ip netns, nft and /etc/fail2ban' }, () => {
  let ns: Namespace;
  before(() => { ns = new Namespace(); });
  after(() => ns.remove());

  it('bans into its set per family, unbans, flushes and stops', async () => {
    const a = stockAction('nftables', ns);
    await a.start();
    await a.ban(ban('192.0.2.1'));
    await a.ban(ban('192.0.2.2'));
    await a.ban(ban('2001:db8::1'));
    const set4 = () => ns.exec('nft', 'list', 'set', 'inet', 'f2b-table', 'addr-set-sshd');
    const set6 = () => ns.exec('nft', 'list', 'set', 'inet', 'f2b-table', 'addr6-set-sshd');
    assert.match(set4(), /elements = \{ 192\.0\.2\.1, 192\.0\.2\.2 \}/);
    assert.match(set6(), /elements = \{ 2001:db8::1 \}/);
    assert.match(ns.ruleset(), /tcp dport 22 ip saddr @addr-set-sshd reject/);
    await a.unban(ban('192.0.2.1'));
    assert.match(set4(), /elements = \{ 192\.0\.2\.2 \}/);
    await a.flush();
    assert.doesNotMatch(set4(), /elements/);
    assert.doesNotMatch(set6(), /elements/);
    await a.stop();
    assert.equal(ns.ruleset().trim(), '', 'the table is gone with its last set');
  });
});

describe('stock iptables-ipset', { skip: !(available && haveProgram('ipset') && haveProgram('iptables')) && 'needs root, ip netns, ipset, iptables' }, () => {
  let ns: Namespace;
  before(() => { ns = new Namespace(); });
  after(() => ns.remove());

  it('bans into its ipset per family, unbans and destroys the sets at stop', async () => {
    const a = stockAction('iptables-ipset', ns);
    await a.ban(ban('192.0.2.1'));
    await a.ban(ban('2001:db8::7'));
    assert.match(ns.exec('ipset', 'list', 'f2b-sshd'), /Members:\n192\.0\.2\.1/);
    assert.match(ns.exec('ipset', 'list', 'f2b-sshd6'), /Members:\n2001:db8::7/);
    assert.match(ns.exec('iptables', '-w', '-S', 'INPUT'), /--match-set f2b-sshd src -j REJECT/);
    await a.unban(ban('192.0.2.1'));
    assert.doesNotMatch(ns.exec('ipset', 'list', 'f2b-sshd'), /192\.0\.2\.1/);
    await a.stop();
    assert.equal(ns.tryExec('ipset', 'list', 'f2b-sshd'), null);
    assert.equal(ns.tryExec('ipset', 'list', 'f2b-sshd6'), null);
  });
});

describe('an admin\'s own action with two commands on continuation lines (issue 3 scenario)', { skip: !(available && haveProgram('iptables')) && 'needs root, ip netns, iptables' }, () => {
  let ns: Namespace;
  before(() => { ns = new Namespace(); });
  after(() => ns.remove());

  it('runs both lines of actionban as one script and deletes the rule at unban', async () => {
    const def = actionFrom({
      'postfix-drop.conf': lines('[Definition]',
        'actionban = iptables -I INPUT -s <ip> -j DROP',
        '            logger -t logjail-test "banned <ip> in <name>"',
        'actionunban = iptables -D INPUT -s <ip> -j DROP'),
    }, 'postfix-drop', {}, 'postfix-empty');
    const log = new RecordingLog();
    const a = new CommandAction(def, { runner: new CommandRunner({ prefix: ns.prefix, queue: new SerialQueue(), log }), jail: { name: 'postfix-empty' }, log });
    await a.start();
    await a.ban(makeBan({ ip: '203.0.113.5', jail: 'postfix-empty' }));
    assert.match(ns.exec('iptables', '-w', '-S', 'INPUT'), /-A INPUT -s 203\.0\.113\.5\/32 -j DROP/);
    await a.unban(makeBan({ ip: '203.0.113.5', jail: 'postfix-empty' }));
    assert.doesNotMatch(ns.exec('iptables', '-w', '-S', 'INPUT'), /203\.0\.113\.5/);
  });
});

describe('stock file-writing actions (no firewall needed)', { skip: !fs.existsSync(`${STOCK}/action.d/hostsdeny.conf`) && 'needs /etc/fail2ban' }, () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const run = (name: string, params: Record<string, string>): CommandAction => {
    const log = new RecordingLog();
    return new CommandAction(readAction(STOCK, name, params, { name: 'sshd' }), {
      runner: new CommandRunner({ queue: new SerialQueue(), log }), jail: { name: 'sshd' }, log,
    });
  };

  it('hostsdeny writes each address in its family form and removes it again', async () => {
    const file = tmp.file('hosts.deny');
    fs.writeFileSync(file, 'ALL: 198.51.100.1\n');
    const a = run('hostsdeny', { file });
    await a.start();
    await a.ban(ban('192.0.2.1'));
    await a.ban(ban('2001:db8::1'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'ALL: 198.51.100.1\nALL: 192.0.2.1\nALL: [2001:db8::1]\n');
    await a.unban(ban('192.0.2.1'));
    await a.unban(ban('2001:db8::1'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'ALL: 198.51.100.1\n');
  });

  it('dummy records start, bans, flush and stop in its target file', async () => {
    const target = tmp.file('dummy');
    const a = run('dummy', { target });
    await a.start();
    await a.ban(ban('192.0.2.5'));
    await a.unban(ban('192.0.2.5'));
    await a.ban(ban('192.0.2.6'));
    await a.flush();
    assert.equal(fs.readFileSync(target, 'utf8'), '123\n+192.0.2.5\n-192.0.2.5\n+192.0.2.6\n-*\n');
    await a.stop();
    assert.equal(fs.existsSync(target), false);
  });
});
