/**
 * The daemon with `backend = systemd`: a stock sshd jail reading a journal FILE written for the
 * test (systemd-journal-remote from export format), banning with logjail-nftables in a test
 * namespace; entries appended later are followed; after a restart the cursor stored is used
 * (nothing counted twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, Setup, e2eUsable, waitFor } from './harness.js';
import { entry, haveJournalTools, writeJournal } from '../sources/journalFiles.js';

const usable = e2eUsable(['nft']) && haveJournalTools;

function sshdEntries(ip: string, n: number, pid: number): ReturnType<typeof entry>[] {
  const now = BigInt(Date.now()) * 1000n;
  return Array.from({ length: n }, (_, i) => entry(now + BigInt(i), [
    ['_HOSTNAME', 'host'], ['SYSLOG_IDENTIFIER', 'sshd'], ['_PID', String(pid + i)], ['_COMM', 'sshd'],
    ['_SYSTEMD_UNIT', 'ssh.service'],
    ['MESSAGE', `Failed password for root from ${ip} port ${50000 + i} ssh2`],
  ]));
}

test('a jail on the systemd journal bans from journal entries and resumes from its cursor', { skip: !usable && 'needs root, ip netns, nft, journalctl and systemd-journal-remote', timeout: 120_000 }, async () => {
  const s = new Setup({
    base: join(ROOT, 'config'),
    files: {
      'jail.d/zz-test.local': `[sshd]
enabled = true
backend = systemd[journalfiles="{dir}/test.journal"]
journalmatch = _SYSTEMD_UNIT=ssh.service
maxretry = 3
`,
    },
  });
  try {
    const file = s.path('test.journal');
    writeJournal(file, sshdEntries('192.0.2.81', 3, 700), s.path('scratch.export'));
    await s.start();
    await waitFor('the first ban', 15_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('192.0.2.81'), () => s.out());
    // followed: entries appended while running
    writeJournal(file, sshdEntries('192.0.2.82', 3, 800), s.path('scratch.export'));
    await waitFor('the second ban', 15_000, () => s.nftElements('inet', 'logjail', 'addr4-sshd').includes('192.0.2.82'), () => s.out());
    await s.stop('SIGTERM');
    await s.start();
    await new Promise((r) => setTimeout(r, 1500));
    const after = s.out().slice(s.out().lastIndexOf('Server ready'));
    assert.doesNotMatch(after, /Found 192\.0\.2\.8/, 'entries read before the restart are not read again');
  } finally {
    await s.remove();
  }
});
