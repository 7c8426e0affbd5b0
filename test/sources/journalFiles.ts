/**
 * Journal files for tests, written by systemd-journal-remote from the journal export format
 * (Debian package systemd-journal-remote). Appending to an existing file keeps its cursors valid.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
export const haveJournalTools = existsSync(JOURNAL_REMOTE) && existsSync('/usr/bin/journalctl');
/** python3-systemd, which fail2ban's systemd backend (the oracle) imports. */
export const havePythonSystemd = existsSync('/usr/lib/python3/dist-packages/systemd/journal.py');

export const BOOT_ID = '0123456789abcdef0123456789abcdef';

/** One entry: fields in order; Buffers are written as binary fields. */
export type ExportEntry = readonly (readonly [string, string | Buffer])[];

let monotonic = 1000;

/** An entry with its time (µs) and the usual fields. */
export function entry(realtimeUs: bigint, fields: ExportEntry): ExportEntry {
  return [
    ['__REALTIME_TIMESTAMP', String(realtimeUs)],
    ['__MONOTONIC_TIMESTAMP', String(monotonic++)],
    ['_BOOT_ID', BOOT_ID],
    ...fields,
  ];
}

function exportFormat(entries: readonly ExportEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    for (const [k, v] of e) {
      if (typeof v === 'string' && !v.includes('\n')) parts.push(Buffer.from(`${k}=${v}\n`));
      else {
        const data = typeof v === 'string' ? Buffer.from(v) : v;
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(data.length));
        parts.push(Buffer.from(`${k}\n`), len, data, Buffer.from('\n'));
      }
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Write (or append) entries to the journal file `file` (must end in .journal). */
export function writeJournal(file: string, entries: readonly ExportEntry[], scratch: string): void {
  writeFileSync(scratch, exportFormat(entries));
  execFileSync(JOURNAL_REMOTE, [`--output=${file}`, scratch], { stdio: 'ignore' });
}
