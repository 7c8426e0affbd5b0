/**
 * A stock sshd jail banning for real in a test namespace: with Debian's stock `nftables` action
 * (unchanged, through /bin/sh), and with logjail's bundled configuration and its built-in
 * `logjail-nftables` action (no shell). Then restart and SIGKILL: bans in force come back even
 * after the firewall was flushed, expired ones do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, STOCK, Setup, e2eUsable, stockInstalled, syslogDate, waitFor } from './harness.js';

const usable = e2eUsable(['nft']);

function failures(ip: string, n: number, pid = 4000): string[] {
  const d = syslogDate();
  return Array.from({ length: n }, (_, i) => `${d} host sshd[${pid + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`);
}

test('stock sshd jail with Debian\'s stock nftables action bans and unbans in the namespace', { skip: (!usable || !stockInstalled) && 'needs root, ip netns, nft and fail2ban', timeout: 90_000 }, async () => {
  const s = new Setup({
    base: STOCK,
    files: {
      'jail.d/zz-test.local': `[DEFAULT]
banaction = nftables
banaction_allports = nftables[type=allports]
[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 3
bantime = 2
`,
    },
  });
  try {
    s.append('auth.log', []);
    await s.start();
    s.append('auth.log', failures('192.0.2.41', 3));
    await waitFor('the address in the stock nftables set', 10_000, () => s.nftElements('inet', 'f2b-table', 'addr-set-sshd').includes('192.0.2.41'), () => s.out());
    await waitFor('the ban to end', 10_000, () => !s.nftElements('inet', 'f2b-table', 'addr-set-sshd').includes('192.0.2.41'), () => s.out());
    assert.match(s.out(), /\[sshd\] Unban 192\.0\.2\.41/);
  } finally {
    await s.remove();
  }
});

const bundled = (files: Record<string, string>): Setup => new Setup({ base: join(ROOT, 'config'), files });

test('the bundled configuration bans with the built-in logjail-nftables action', { skip: !usable && 'needs root, ip netns and nft', timeout: 90_000 }, async () => {
  const s = bundled({
    'jail.d/zz-test.local': `[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 3
`,
  });
  try {
    s.append('auth.log', []);
    await s.start();
    s.append('auth.log', failures('198.51.100.42', 3));
    await waitFor('the address in the built-in action\'s set', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('198.51.100.42'), () => s.out() + s.ns.tryExec('nft', 'list', 'ruleset'));
    // the kernel holds the ban with a timeout: it ends even if the daemon is gone
    assert.match(s.ns.exec('nft', 'list', 'set', 'inet', 'logjail', 'addr4-sshd'), /198\.51\.100\.42 timeout/);
  } finally {
    await s.remove();
  }
});

test('after SIGKILL and a flushed firewall, a restart puts back the bans in force and not the expired ones', { skip: !usable && 'needs root, ip netns and nft', timeout: 120_000 }, async () => {
  const s = bundled({
    'jail.d/zz-test.local': `[sshd]
enabled = true
logpath = {dir}/auth.log
maxretry = 3
bantime = 3600

[sshd-short]
enabled = true
filter = sshd
logpath = {dir}/auth-short.log
maxretry = 3
bantime = 3
`,
  });
  try {
    s.append('auth.log', []);
    s.append('auth-short.log', []);
    await s.start();
    s.append('auth.log', failures('203.0.113.61', 3));
    s.append('auth-short.log', failures('203.0.113.62', 3));
    await waitFor('both bans', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('203.0.113.61')
      && s.nftElements('inet', 'logjail', 'addr4-sshd-short').includes('203.0.113.62'), () => s.out());
    await s.stop('SIGKILL');
    s.ns.exec('nft', 'flush', 'ruleset');
    assert.deepEqual(s.nftElements('inet', 'logjail', 'addr4-sshd'), []);
    // let the short ban run out while the daemon is down
    await new Promise((r) => setTimeout(r, 4000));
    await s.start();
    await waitFor('the long ban back in the firewall', 10_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('203.0.113.61'), () => s.out());
    assert.deepEqual(s.nftElements('inet', 'logjail', 'addr4-sshd-short'), [], 'the expired ban is not restored');
    assert.match(s.out(), /Restore Ban 203\.0\.113\.61/);
    // lines read after the last saved position are read again (their failures rebuild the
    // counts lost with the process), but nothing is banned twice
    const after = s.out().slice(s.out().lastIndexOf('Server ready'));
    assert.doesNotMatch(after, /NOTICE\s+\[sshd(?:-short)?\] Ban /);
    // an orderly stop saves the positions: after it nothing is read twice
    await s.stop('SIGTERM');
    await s.start();
    assert.doesNotMatch(s.out().slice(s.out().lastIndexOf('Server ready')), /Found /);
  } finally {
    await s.remove();
  }
});
