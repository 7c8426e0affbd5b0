/**
 * One fail2ban configuration file → sections of options, each value with the lines it came from.
 *
 * The dialect is Python's configparser as fail2ban sets it up (strict, inline comments with ";",
 * empty lines allowed inside values). The rules, in the order Python applies them per line:
 *  - a line whose stripped text starts with "#" or ";" is a comment, even inside a multi-line value;
 *  - ";" preceded by whitespace starts an inline comment ("#" never does);
 *  - a line indented deeper than the line of the current key continues its value (stripped,
 *    joined with "\n"), whatever it looks like;
 *  - a truly blank line (no comment on it) is kept inside a value, and trailing ones are dropped;
 *  - "[name]" opens a section (text after the last "]" is ignored, as Python does), "[DEFAULT]" is
 *    the defaults; otherwise "key = value" or "key: value", split at the first "=" or ":";
 *  - option names are lower-cased, section names are kept as written;
 *  - a section or an option defined twice in one file is an error.
 */
import { LogjailError } from '../errors.js';
import { firstNonSpace, isPySpace, pyRstrip, pyStrip } from './pystr.js';

export const DEFAULT_SECTION = 'DEFAULT';

/** A value as written (before any interpolation), with where it was written. */
export interface IniValue {
  readonly value: string;
  readonly file: string;
  /** Line of the key (1-based); 0 for values that come from no file. */
  readonly line: number;
  /** Line number of each line of `value` (same length as value.split("\n")). */
  readonly lines: readonly number[];
}

/** Options of one section, in file order. Keys are lower-case. */
export type IniOptions = Map<string, IniValue>;

export interface IniFile {
  readonly file: string;
  readonly defaults: IniOptions;
  readonly sections: ReadonlyMap<string, IniOptions>;
  /** Line of each section header (the first one for DEFAULT). */
  readonly sectionLines: ReadonlyMap<string, number>;
}

const SECTION_RE = /^\[(.+)\]/;

interface Pending {
  readonly parts: string[];
  readonly lines: number[];
  readonly line: number;
}

/** Parse the text of one file. Throws LogjailError (LJ101, LJ102) naming file, line, section and key. */
export function parseIni(text: string, file: string): IniFile {
  const sections = new Map<string, Map<string, Pending>>();
  const defaults = new Map<string, Pending>();
  const sectionLines = new Map<string, number>();
  const keyLines = new Map<string, number>(); // "section\0key" → first line, for duplicate reports

  let cur: Map<string, Pending> | null = null;
  let sectName = '';
  let optName: string | null = null;
  let indentLevel = 0;

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const lineNo = i + 1;
    const commentAt = commentStart(row);
    const content = commentAt < 0 ? pyStrip(row) : pyStrip(row.slice(0, commentAt));
    if (content === '') {
      // A blank line may belong to a multi-line value; a comment-only line never does.
      if (commentAt < 0 && cur !== null && optName !== null) {
        const p = cur.get(optName);
        if (p !== undefined) { p.parts.push(''); p.lines.push(lineNo); }
      }
      continue;
    }
    const indent = firstNonSpace(row);
    if (cur !== null && optName !== null && indent > indentLevel) {
      const p = cur.get(optName)!;
      p.parts.push(content);
      p.lines.push(lineNo);
      continue;
    }
    indentLevel = indent;
    const header = SECTION_RE.exec(content);
    if (header !== null) {
      sectName = header[1]!;
      optName = null;
      if (sectName === DEFAULT_SECTION) {
        cur = defaults;
        if (!sectionLines.has(sectName)) sectionLines.set(sectName, lineNo);
        continue;
      }
      const first = sectionLines.get(sectName);
      if (first !== undefined) {
        throw new LogjailError('CONFIG_DUPLICATE',
          `section [${sectName}] is defined twice in this file, at lines ${first} and ${lineNo}`,
          { file, line: lineNo, section: sectName });
      }
      sectionLines.set(sectName, lineNo);
      cur = new Map();
      sections.set(sectName, cur);
      continue;
    }
    if (cur === null) {
      throw new LogjailError('CONFIG_SYNTAX',
        `"${clip(content)}" comes before any [section] header`, { file, line: lineNo },
        'start the file with a section header such as [Definition] or [DEFAULT]');
    }
    const delim = firstDelimiter(content);
    const key = delim < 0 ? '' : pyRstrip(content.slice(0, delim)).toLowerCase();
    if (delim < 0 || key === '') {
      throw new LogjailError('CONFIG_SYNTAX',
        delim < 0 ? `"${clip(content)}" is neither a [section], "key = value" nor an indented continuation`
          : `"${clip(content)}" has no key before the "${content[delim]}"`,
        { file, line: lineNo, section: sectName });
    }
    const id = sectName + '\0' + key;
    const firstLine = keyLines.get(id);
    if (firstLine !== undefined) {
      throw new LogjailError('CONFIG_DUPLICATE',
        `"${key}" is set twice in [${sectName}] of this file, at lines ${firstLine} and ${lineNo}`,
        { file, line: lineNo, section: sectName, key });
    }
    keyLines.set(id, lineNo);
    optName = key;
    cur.set(key, { parts: [pyStrip(content.slice(delim + 1))], lines: [lineNo], line: lineNo });
  }

  return {
    file,
    defaults: finish(defaults, file),
    sections: new Map([...sections].map(([n, s]) => [n, finish(s, file)])),
    sectionLines,
  };
}

/** Where a comment starts in a raw line, or -1: full-line "#"/";" or ";" after whitespace. */
function commentStart(row: string): number {
  const first = firstNonSpace(row);
  if (first >= 0 && (row[first] === '#' || row[first] === ';')) return 0;
  let idx = row.indexOf(';');
  while (idx > 0) {
    if (isPySpace(row[idx - 1]!)) return idx;
    idx = row.indexOf(';', idx + 1);
  }
  return idx === 0 ? 0 : -1;
}

function firstDelimiter(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 /* = */ || c === 58 /* : */) return i;
  }
  return -1;
}

function finish(opts: Map<string, Pending>, file: string): IniOptions {
  const out: IniOptions = new Map();
  for (const [k, p] of opts) {
    // Python joins the lines and strips trailing whitespace, which drops trailing blank lines.
    const value = pyRstrip(p.parts.join('\n'));
    const count = value === '' ? 1 : value.split('\n').length;
    out.set(k, Object.freeze({ value, file, line: p.line, lines: Object.freeze(p.lines.slice(0, count)) }));
  }
  return out;
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
