/**
 * The built-in logjail-nftables action against the real nft, inside a network namespace each
 * test suite creates and deletes: every nft call goes through `ip netns exec NS`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NftablesAction } from '../../src/actions/nftables/nftablesAction.js';
import { duration, elementScript, nftAddress, nftJailSpec, startScript } from '../../src/actions/nftables/nftSpec.js';
import type { Ban } from '../../src/actions/types.js';
import { LogjailError } from '../../src/errors.js';
import { actionFrom, makeBan, Namespace, namespacesAvailable, RecordingLog, tempDir } from './helpers.js';

const NOW = 1_700_000_000;

function builtin(params: Record<string, string> = {}, jail = 'sshd') {
  return actionFrom({}, 'logjail-nftables', params, jail);
}

describe('logjail-nftables parameters and scripts', () => {
  it('accepts only addresses and networks, in canonical form', () => {
    assert.deepEqual(nftAddress('192.0.2.7'), { family: 'inet4', text: '192.0.2.7', network: false });
    assert.deepEqual(nftAddress('192.0.2.7/24'), { family: 'inet4', text: '192.0.2.0/24', network: true });
    assert.deepEqual(nftAddress('192.0.2.7/32'), { family: 'inet4', text: '192.0.2.7', network: false });
    assert.deepEqual(nftAddress('2001:DB8:0:0::1'), { family: 'inet6', text: '2001:db8::1', network: false });
    assert.deepEqual(nftAddress('2001:db8:1234::1/36'), { family: 'inet6', text: '2001:db8:1000::/36', network: true });
    assert.deepEqual(nftAddress('2001:db8:1234::1/35'), { family: 'inet6', text: '2001:db8::/35', network: true });
    for (const bad of ['host.example', '1.2.3.4; flush ruleset', '1.2.3.4 }', '0.0.0.0/0', '::/0', '1.2.3.4/33',
      '192.030.0.6', '1.2.3.4/', '', '1.2.3.4/24/1', '::ffff:1.2.3.4x', '$(reboot)']) {
      assert.equal(nftAddress(bad), null, bad);
    }
  });

  it('refuses parameters that would not make a valid, safe nft script', () => {
    for (const [key, value] of [['table', 'x y'], ['table', 'a;b'], ['hook', 'output'], ['priority', '1; flush ruleset'],
      ['blocktype', 'accept'], ['port', '22 }'], ['protocol', 'icmp'], ['type', 'oneport'], ['nft', 'nft -f /etc/x'], ['name', 'a b']] as const) {
      assert.throws(() => nftJailSpec(builtin({ [key]: value })), (e: unknown) => e instanceof LogjailError && e.code === 'LJ109', `${key}=${value}`);
    }
  });

  it('limits the rules to the jail\'s ports and protocols like iptables-multiport', () => {
    const spec = nftJailSpec(builtin({ port: 'ssh, 2222,1000:2000', protocol: 'tcp,udp', blocktype: 'DROP' }));
    assert.match(startScript(spec), /add rule inet logjail jail-sshd meta l4proto \{ tcp, udp \} th dport \{ ssh, 2222, 1000-2000 \} ip saddr @addr4-sshd drop\n/);
    assert.doesNotMatch(startScript(nftJailSpec(builtin({ port: '0:65535', type: 'allports' }))), /dport/);
    assert.doesNotMatch(startScript(nftJailSpec(builtin({ port: 'ssh', protocol: 'all' }))), /dport/);
  });

  it('writes each element\'s remaining ban time as its timeout, and none for a permanent ban', () => {
    const s = elementScript('logjail', [
      { set: 'addr4-x', text: '192.0.2.1', present: true, expires: NOW + 3661 },
      { set: 'addr4-x', text: '192.0.2.2', present: true, expires: null },
      { set: 'addr4-x', text: '192.0.2.3', present: false, expires: NOW + 60 },
      { set: 'addr4-x', text: '192.0.2.4', present: true, expires: NOW - 1 },
    ], NOW);
    assert.equal(s,
      'add element inet logjail addr4-x { 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4 }\n' +
      'delete element inet logjail addr4-x { 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4 }\n' +
      'add element inet logjail addr4-x { 192.0.2.1 timeout 1h1m1s, 192.0.2.2 }\n');
    assert.equal(duration(86400 * 400 + 5), '400d5s');
    assert.equal(duration(59), '59s');
  });
});

describe('logjail-nftables in a network namespace', { skip: !namespacesAvailable() && 'needs root, ip netns and nft' }, () => {
  let ns: Namespace;
  let clock = NOW;
  const log = new RecordingLog();
  const make = (params: Record<string, string> = {}, jail = 'sshd'): NftablesAction =>
    new NftablesAction(builtin(params, jail), { prefix: ns.prefix, log, clock: () => clock });
  const ban = (ip: string, over: Partial<Ban> = {}): Ban => makeBan({ ip, jail: 'sshd', time: clock, banTime: 3600, ...over });
  const set = (name: string): string => ns.exec('nft', 'list', 'set', 'inet', 'logjail', name);

  before(() => { ns = new Namespace(); });
  after(() => ns.remove());

  it('creates table, sets, chain and rules at start, idempotently', async () => {
    const a = make({ port: 'ssh', protocol: 'tcp', blocktype: 'drop' });
    await a.start();
    await a.start();
    const rules = ns.ruleset();
    assert.match(rules, /table inet logjail \{/);
    for (const s of ['addr4-sshd', 'addr6-sshd', 'net4-sshd', 'net6-sshd']) assert.match(rules, new RegExp(`set ${s} \\{`));
    assert.match(rules, /chain jail-sshd \{\n\s+type filter hook input priority filter - 1; policy accept;/);
    assert.equal(rules.match(/tcp dport 22 ip saddr @addr4-sshd drop/g)?.length, 1, rules);
    assert.equal(rules.match(/ip6 saddr @net6-sshd drop/g)?.length, 1, rules);
  });

  it('adds a ban with its remaining time as timeout so the kernel lifts it; a permanent one without', async () => {
    const a = make();
    await a.start();
    await a.ban(ban('192.0.2.1', { time: clock - 600, banTime: 3600 }));
    await a.ban(ban('2001:db8::1', { banTime: -1 }));
    await a.ban(ban('198.51.100.0/24'));
    assert.match(set('addr4-sshd'), /elements = \{ 192\.0\.2\.1 timeout 50m expires /);
    assert.match(set('addr6-sshd'), /elements = \{ 2001:db8::1 \}/);
    assert.match(set('net4-sshd'), /elements = \{ 198\.51\.100\.0\/24 timeout 1h expires /);
  });

  it('sets the new timeout when a ban is banned again or prolonged', async () => {
    const a = make();
    await a.start();
    await a.ban(ban('192.0.2.2', { banTime: 60 }));
    await a.prolong(ban('192.0.2.2', { banTime: 7200 }));
    assert.match(set('addr4-sshd'), /192\.0\.2\.2 timeout 2h expires /);
  });

  it('unbans, also when the kernel has already let the ban expire', async () => {
    const a = make();
    await a.start();
    await a.ban(ban('192.0.2.3'));
    await a.unban(ban('192.0.2.3'));
    await a.unban(ban('192.0.2.3'));
    await a.unban(ban('203.0.113.77'));
    assert.doesNotMatch(set('addr4-sshd'), /192\.0\.2\.3/);
  });

  it('turns a burst of bans into one nft call', async () => {
    const a = make();
    await a.start();
    const before = a.table.calls;
    const bans: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) bans.push(a.ban(ban(`10.${(i >> 8) & 255}.${i & 255}.1`)));
    await Promise.all(bans);
    assert.equal(a.table.calls - before, 1);
    assert.equal((set('addr4-sshd').match(/10\.\d+\.\d+\.1 timeout/g) ?? []).length, 2000);
  });

  it('never hands something that is not an address to nft', async () => {
    const a = make();
    const before = a.table.calls;
    for (const id of ['host.example', '1.2.3.4 } ; flush ruleset ; add element inet logjail addr4-sshd { 5.6.7.8', '$(reboot)']) {
      await assert.rejects(a.ban(ban(id, { family: null })), (e: unknown) => e instanceof LogjailError && e.code === 'LJ623');
    }
    assert.equal(a.table.calls, before);
  });

  it('fails only the elements nft refuses and applies the others of the batch', async () => {
    const a = make();
    await a.start();
    await a.ban(ban('172.16.0.0/12'));
    const results = await Promise.allSettled([
      a.ban(ban('192.0.2.50')),
      a.ban(ban('172.16.5.0/24')),  // overlaps the network above: refused by the kernel
      a.ban(ban('192.0.2.51')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /LJ624.*172\.16\.5\.0\/24/);
    assert.match(set('addr4-sshd'), /192\.0\.2\.50 .*192\.0\.2\.51|192\.0\.2\.51 .*192\.0\.2\.50/s);
  });

  it('re-creates its chain, sets and bans after someone flushed the ruleset', async () => {
    const a = make();
    await a.start();
    await a.ban(ban('192.0.2.60'));
    ns.exec('nft', 'flush', 'ruleset');
    assert.equal(await a.consistencyCheck(), true);
    assert.match(ns.ruleset(), /chain jail-sshd/);
    assert.match(set('addr4-sshd'), /192\.0\.2\.60 timeout/);
    // and without a check: the next ban finds the table gone and repairs it first
    ns.exec('nft', 'flush', 'ruleset');
    await a.ban(ban('192.0.2.61'));
    assert.match(set('addr4-sshd'), /192\.0\.2\.60 timeout.*192\.0\.2\.61 timeout|192\.0\.2\.61 timeout.*192\.0\.2\.60 timeout/s);
    assert.ok(log.has(/chain, sets or rules of jail-sshd are missing; re-creating them/));
  });

  it('flushes the jail\'s sets, and removes its chain and sets at stop (the table with the last jail)', async () => {
    const ssh = make();
    const web = make({}, 'web');
    await ssh.start();
    await web.start();
    await ssh.ban(ban('192.0.2.70'));
    await web.ban(ban('192.0.2.71', { jail: 'web' }));
    await ssh.flush();
    assert.doesNotMatch(set('addr4-sshd'), /192\.0\.2\.70/);
    assert.match(set('addr4-web'), /192\.0\.2\.71/);
    await ssh.stop();
    assert.doesNotMatch(ns.ruleset(), /sshd/);
    assert.match(ns.ruleset(), /chain jail-web/);
    await web.stop();
    assert.equal(ns.ruleset().trim(), '');
  });

  it('really blocks the banned address (a TCP connection over loopback is rejected)', async () => {
    const tmp = tempDir();
    try {
      const probe = [
        'import socket, sys',
        'srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); srv.bind(("127.0.0.1", 8022)); srv.listen(5)',
        'c = socket.socket(); c.settimeout(5)',
        'try:\n    c.connect(("127.0.0.1", 8022)); print("open")\nexcept ConnectionRefusedError:\n    print("refused")',
      ].join('\n');
      const python = '/usr/bin/python3';
      assert.equal(ns.exec(python, '-c', probe).trim(), 'open');
      const a = make({ port: '8022', protocol: 'tcp', blocktype: 'reject' }, 'probe');
      await a.start();
      await a.ban(ban('127.0.0.1', { jail: 'probe' }));
      assert.equal(ns.exec(python, '-c', probe).trim(), 'refused');
      await a.unban(ban('127.0.0.1', { jail: 'probe' }));
      assert.equal(ns.exec(python, '-c', probe).trim(), 'open');
      await a.stop();
    } finally {
      tmp.remove();
    }
  });
});
