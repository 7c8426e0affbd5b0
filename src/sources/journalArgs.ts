/**
 * journalctl's command line for a jail with `backend = systemd[...]`: an argument array (no
 * shell ever sees it), built from the backend options, `journalmatch` and the start position.
 *
 * fail2ban's journalmatch: one group per line, terms within a line ANDed, `+` (in a line or
 * between lines) separating groups that are ORed — journalctl's own syntax for matches, so the
 * groups are passed on as they are, separated by "+".
 */
import { isAbsolute, resolve } from 'node:path';
import { LogjailError } from '../errors.js';
import { globFiles, hasMagic } from './glob.js';

export interface JournalParams {
  /** A journal directory (`journalpath`). */
  readonly journalpath?: string;
  /** Journal files, separated by spaces or commas, globs allowed (`journalfiles`). */
  readonly journalfiles?: string;
  /** sd_journal_open flags (`journalflags`): 4 = system journals only (fail2ban's default), 8 = the current user's. */
  readonly journalflags?: string;
  readonly namespace?: string;
}

export interface JournalStart {
  /** Continue after this entry. */
  readonly afterCursor?: string;
  /** Otherwise begin with entries at or after this time (seconds since the epoch); neither: only entries written after journalctl started. */
  readonly since?: number;
}

/** A match term: FIELD=value, field names as sd_journal_add_match accepts them. */
const TERM = /^[A-Z_][A-Z0-9_]*=/s;

/** journalmatch lines (each already split like a shell does) → journalctl match arguments. */
export function matchArgs(lines: readonly (readonly string[])[]): string[] {
  const groups: string[][] = [];
  for (const line of lines) {
    let group: string[] = [];
    for (const term of line) {
      if (term === '+') {
        if (group.length > 0) groups.push(group);
        group = [];
      } else if (!TERM.test(term)) {
        throw new LogjailError('CONFIG_VALUE', `journalmatch term ${JSON.stringify(term)} is not FIELD=value`, { key: 'journalmatch' },
          'write journal matches as FIELD=value (field names in capitals, e.g. _SYSTEMD_UNIT=sshd.service), and "+" between alternatives');
      } else group.push(term);
    }
    if (group.length > 0) groups.push(group);
  }
  const out: string[] = [];
  for (const g of groups) {
    if (out.length > 0) out.push('+');
    out.push(...g);
  }
  return out;
}

/** The whole argument list (without the program name). */
export async function journalctlArgs(params: JournalParams, matches: readonly (readonly string[])[], start: JournalStart, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const args = ['--follow', '--output=json', '--no-pager', '--quiet', '--all'];
  let where = false;
  if (params.journalfiles !== undefined && params.journalfiles.trim() !== '') {
    const files: string[] = [];
    for (const word of params.journalfiles.split(/[\s,]+/).filter((w) => w !== '')) {
      // journalctl cannot follow a file named by a relative path
      const abs = isAbsolute(word) ? word : resolve(word);
      for (const f of hasMagic(abs) ? await globFiles(abs) : [abs]) if (!files.includes(f)) files.push(f);
    }
    if (files.length === 0) {
      throw new LogjailError('JOURNAL_READ', `journalfiles ${JSON.stringify(params.journalfiles)} names no existing file`, { key: 'journalfiles' });
    }
    for (const f of files) args.push(`--file=${f}`);
    where = true;
  } else if (params.journalpath !== undefined && params.journalpath.trim() !== '') {
    args.push(`--directory=${resolve(params.journalpath.trim())}`);
    where = true;
  }
  // like fail2ban: without a path or files, system journals only unless journalflags says otherwise
  const flagText = params.journalflags ?? (where ? undefined : env['F2B_SYSTEMD_DEFAULT_FLAGS'] ?? '4');
  if (flagText !== undefined) {
    const flags = Number(flagText.trim());
    if (!Number.isInteger(flags) || flags < 0) {
      throw new LogjailError('CONFIG_VALUE', `journalflags "${flagText}" is not a number`, { key: 'journalflags' },
        'use 4 for system journals, 8 for the current user\'s, 12 for both, or leave journalflags out');
    }
    if (flags & 4) args.push('--system');
    if (flags & 8) args.push('--user');
  }
  if (params.namespace !== undefined && params.namespace.trim() !== '') args.push(`--namespace=${params.namespace.trim()}`);
  if (start.afterCursor !== undefined) args.push(`--after-cursor=${start.afterCursor}`);
  else if (start.since !== undefined) args.push(`--since=@${Math.max(0, start.since).toFixed(6)}`);
  else args.push('--lines=0');
  const m = matchArgs(matches);
  if (m.length > 0) args.push('--', ...m);
  return args;
}
