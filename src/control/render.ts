/**
 * The text the client commands print: laid out like fail2ban-client's where it has an equivalent
 * (the `|-` / `` `- `` trees of `status`, "Server replied: pong", plain numbers for bans and
 * unbans), a table for `banned`. The result comes off the wire, so every shape is checked and
 * anything unexpected is shown as JSON rather than trusted.
 */
import type { Command } from './command.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : '?';
}

/** Local time as fail2ban shows it: 2026-11-24 13:33:59. */
export function formatTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `|- a` … `` `- z `` under a heading, or `empty` when there is nothing. */
function tree(heading: string, items: readonly string[], empty: string): string {
  if (items.length === 0) return empty;
  return [heading, ...items.map((x, i) => `${i === items.length - 1 ? '`-' : '|-'} ${x}`)].join('\n');
}

export function renderResult(cmd: Command, result: unknown): string {
  const r = isObj(result) ? result : {};
  switch (cmd.kind) {
    case 'ping': return `Server replied: ${String(r['reply'])}`;
    case 'version': return String(r['version']);
    case 'stop': return 'Shutdown successful';
    case 'status': {
      const jails = strings(r['jails']);
      if (jails === null) break;
      return `Status\n|- Number of jail:\t${jails.length}\n\`- Jail list:\t${jails.join(', ')}`;
    }
    case 'jailStatus': return renderJailStatus(r) ?? JSON.stringify(result);
    case 'ban': return num(r['banned']);
    case 'unban':
    case 'unbanAll': return num(r['unbanned']);
    case 'banned': return renderBanned(r['banned'], cmd.filters) ?? JSON.stringify(result);
    case 'reload':
      return r['reloaded'] === false ? `No jail "${String(r['jail'])}" is running; nothing was reloaded` : 'OK';
    case 'getBanned': {
      const v = r['value'];
      if (!Array.isArray(v)) break;
      if (cmd.ips.length === 0) return v.join(' ');
      // 1/0 per address asked about, as fail2ban-client prints them
      return v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`;
    }
    case 'getBanip': return renderBanip(r['value'], cmd.withTime, cmd.separator) ?? JSON.stringify(result);
    case 'get':
    case 'set': return renderSetting(cmd.jail, cmd.setting, r['value']);
  }
  return JSON.stringify(result);
}

function renderJailStatus(r: Obj): string | null {
  const f = r['filter'];
  const a = r['actions'];
  if (!isObj(f) || !isObj(a)) return null;
  const journal = strings(f['journalMatches']);
  const files = strings(f['files']) ?? [];
  const banned = strings(a['banned']);
  const filter = [
    ['Currently failed', num(f['currentlyFailed'])],
    ['Total failed', num(f['totalFailed'])],
    journal !== null ? ['Journal matches', journal.join(' + ')] : ['File list', files.join(' ')],
  ];
  const actions = [
    ['Currently banned', num(a['currentlyBanned'])],
    ['Total banned', num(a['totalBanned'])],
    ...(banned !== null ? [['Banned IP list', banned.join(' ')]] : []),
  ];
  const lines = [`Status for the jail: ${String(r['name'])}`];
  const section = (title: string, rows: string[][], last: boolean): void => {
    lines.push(`${last ? '`-' : '|-'} ${title}`);
    const indent = last ? '   ' : '|  ';
    rows.forEach(([k, v], i) => lines.push(`${indent}${i === rows.length - 1 ? '`-' : '|-'} ${k ?? ''}:\t${v ?? ''}`));
  };
  section('Filter', filter, false);
  section('Actions', actions, true);
  return lines.join('\n');
}

function renderBanned(v: unknown, filters: readonly string[]): string | null {
  if (!Array.isArray(v)) return null;
  const rows: string[][] = [];
  for (const e of v) {
    if (!isObj(e) || typeof e['jail'] !== 'string' || typeof e['ip'] !== 'string' || typeof e['since'] !== 'number') return null;
    const until = e['until'];
    rows.push([e['jail'], e['ip'], formatTime(e['since']), typeof until === 'number' ? formatTime(until) : 'never', num(e['count'])]);
  }
  if (rows.length === 0) return filters.length === 0 ? 'No address is banned' : `No address is banned (${filters.join(', ')})`;
  const head = ['Jail', 'Address', 'Banned since', 'Ban ends', 'Bans'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function renderBanip(v: unknown, withTime: boolean, separator: string): string | null {
  if (!withTime) return strings(v)?.join(separator) ?? null;
  if (!Array.isArray(v)) return null;
  const lines: string[] = [];
  for (const e of v) {
    if (!isObj(e) || typeof e['ip'] !== 'string' || typeof e['since'] !== 'number') return null;
    const since = e['since'];
    const until = e['until'];
    // fail2ban's layout: address, tab, start + ban time = end (-1 and "never" for a ban for ever)
    lines.push(typeof until === 'number'
      ? `${e['ip']} \t${formatTime(since)} + ${Math.round(until - since)} = ${formatTime(until)}`
      : `${e['ip']} \t${formatTime(since)} + -1 = never`);
  }
  return lines.join('\n');
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const list = strings(v);
  if (list !== null) return tree('', list, '').replace(/^\n/, '');
  return JSON.stringify(v);
}

function renderSetting(jail: string, setting: string, v: unknown): string {
  const list = strings(v);
  switch (setting) {
    case 'logpath':
      if (list !== null) return tree('Current monitored log file(s):', list, 'No file is currently monitored');
      break;
    case 'journalmatch':
      if (list !== null) return list.length === 0 ? 'No journal match filter set' : `Current match filter:\n${list.join(' + ')}`;
      break;
    case 'ignoreip':
      if (list !== null) return tree('These IP addresses/networks are ignored:', list, 'No IP address/network is ignored');
      break;
    case 'failregex':
    case 'ignoreregex':
      if (list !== null) {
        return tree('The following regular expressions are defined:', list.map((re, i) => `[${i}]: ${re}`), 'No regular expression is defined');
      }
      break;
    case 'actions':
      if (list !== null) return list.length === 0 ? `No actions for jail ${jail}` : `The jail ${jail} has the following actions:\n${list.join(', ')}`;
      break;
    case 'datepattern':
      if (v === null || v === '') return 'Current date pattern set to: Not set/required';
      if (typeof v === 'string') return `Current date pattern set to: ${v}`;
      break;
  }
  return scalar(v);
}
