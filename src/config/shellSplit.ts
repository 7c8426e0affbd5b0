/**
 * Split a line like a POSIX shell would, without any expansion (Python's shlex.split, which
 * fail2ban applies to each journalmatch line): whitespace separates words, '...' is literal,
 * "..." allows \" and \\, a backslash outside quotes takes the next character literally.
 */
import { LogjailError, type Place } from '../errors.js';

const WS = ' \t\r\n';

export function shellSplit(line: string, place: Place = {}): string[] {
  const out: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  const fail = (what: string): LogjailError =>
    new LogjailError('CONFIG_VALUE', `${what} in ${JSON.stringify(line)}`, place, 'balance the quotes, or escape the character with a backslash');
  while (i < line.length) {
    const c = line[i]!;
    if (WS.includes(c)) {
      if (inToken) { out.push(token); token = ''; inToken = false; }
      i++;
      continue;
    }
    inToken = true;
    if (c === '\\') {
      if (i + 1 >= line.length) throw fail('a backslash ends the line');
      token += line[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw fail('no closing quote');
      token += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw fail('no closing quote');
        const q = line[i]!;
        if (q === '"') { i++; break; }
        if (q === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) { token += line[i + 1]; i += 2; continue; }
        token += q;
        i++;
      }
    } else {
      token += c;
      i++;
    }
  }
  if (inToken) out.push(token);
  return out;
}
