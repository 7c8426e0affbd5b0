import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { parseIni, type IniFile } from '../../src/config/ini.js';
import { referenceAvailable } from './oracle.js';
import { lines } from './tree.js';

function values(ini: IniFile, section: string): Record<string, string> {
  const s = section === 'DEFAULT' ? ini.defaults : ini.sections.get(section);
  assert.ok(s, `section [${section}] exists`);
  return Object.fromEntries([...s].map(([k, v]) => [k, v.value]));
}

function parseError(text: string): LogjailError {
  try {
    parseIni(text, 'x.conf');
  } catch (e) {
    assert.ok(e instanceof LogjailError);
    return e;
  }
  assert.fail('the text parses although it should not');
}

describe('INI dialect', () => {
  it('accepts both = and : as delimiters and splits at the first one', () => {
    const ini = parseIni(lines('[s]', 'a = 1', 'B: 2', 'c = x:y = z', 'd:e=f'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: '1', b: '2', c: 'x:y = z', d: 'e=f' });
  });

  it('lower-cases option names but keeps section names as written', () => {
    const ini = parseIni(lines('[MySection]', 'FailRegex = x'), 'x.conf');
    assert.deepEqual([...ini.sections.keys()], ['MySection']);
    assert.deepEqual(values(ini, 'MySection'), { failregex: 'x' });
  });

  it('puts [DEFAULT] options apart from the sections', () => {
    const ini = parseIni(lines('[DEFAULT]', 'a = 1', '[s]', 'b = 2'), 'x.conf');
    assert.deepEqual(values(ini, 'DEFAULT'), { a: '1' });
    assert.deepEqual([...ini.sections.keys()], ['s']);
  });

  it('skips full-line comments starting with # or ;, also indented and inside multi-line values', () => {
    const ini = parseIni(lines('# top', '[s]', '; note', 'a = one', '    # between', '  ; also', '    two', '  #x = 3'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: 'one\ntwo' });
  });

  it('cuts inline comments only at ";" preceded by whitespace, never at "#"', () => {
    const ini = parseIni(lines('[s]', 'a = x ; comment', 'b = x;y', 'c = x # kept', 'd = x\t;tab comment'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: 'x', b: 'x;y', c: 'x # kept', d: 'x' });
  });

  it('continues a value on lines indented deeper than its key, stripped and joined with newlines', () => {
    const ini = parseIni(lines('[s]', 'a = first', '    second  ', '\tthird', 'b = other', '  [not a section]'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: 'first\nsecond\nthird', b: 'other\n[not a section]' });
  });

  it('keeps blank lines inside a value only when a continuation line follows them', () => {
    const ini = parseIni(lines('[s]', 'a = one', '', '   two', '', '', 'b = x', '', '', '[t]'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: 'one\n\ntwo', b: 'x' });
  });

  it('reads "key =" as an empty value and an empty first line followed by continuations', () => {
    const ini = parseIni(lines('[s]', 'a =', 'b =', '   x', '   y'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: '', b: '\nx\ny' });
  });

  it('treats indented option lines under a section header as options, not continuations', () => {
    const ini = parseIni(lines('[s]', '  a = 1', '  b = 2'), 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: '1', b: '2' });
  });

  it('reads a section header up to its last "]" and ignores what follows, as Python does', () => {
    const ini = parseIni(lines('[a]b] trailing', 'k = v'), 'x.conf');
    assert.deepEqual([...ini.sections.keys()], ['a]b']);
  });

  it('keeps the line number of every line of a value', () => {
    const ini = parseIni(lines('[s]', 'a = one', '  # comment', '  two', '', '  three'), 'x.conf');
    const a = ini.sections.get('s')!.get('a')!;
    assert.equal(a.line, 2);
    assert.deepEqual(a.lines, [2, 4, 5, 6]);
    assert.equal(a.value, 'one\ntwo\n\nthree');
  });

  it('accepts CRLF and CR line ends and a byte-order mark', () => {
    const ini = parseIni('\ufeff[s]\r\na = 1\r\n  2\rb = 3', 'x.conf');
    assert.deepEqual(values(ini, 's'), { a: '1\n2', b: '3' });
  });

  it('rejects a duplicate section in one file, naming both lines', () => {
    const e = parseError(lines('[s]', 'a = 1', '[t]', '[s]'));
    assert.equal(e.code, 'LJ102');
    assert.equal(e.place.line, 4);
    assert.match(e.message, /x\.conf:4/);
    assert.match(e.detail, /lines 1 and 4/);
  });

  it('rejects a duplicate key in one section of one file, also when spelt in another case', () => {
    const e = parseError(lines('[s]', 'bantime = 1', 'x = 2', 'BanTime = 3'));
    assert.equal(e.code, 'LJ102');
    assert.deepEqual({ ...e.place }, { file: 'x.conf', line: 4, section: 's', key: 'bantime' });
    assert.match(e.detail, /lines 2 and 4/);
  });

  it('rejects a duplicate key in [DEFAULT] even across two [DEFAULT] headers', () => {
    const e = parseError(lines('[DEFAULT]', 'a = 1', '[DEFAULT]', 'a = 2'));
    assert.equal(e.code, 'LJ102');
  });

  it('rejects a line that is neither a header, an option nor a continuation', () => {
    const e = parseError(lines('[s]', 'a = 1', 'just words'));
    assert.equal(e.code, 'LJ101');
    assert.equal(e.place.line, 3);
    assert.match(e.render(), /hint:/);
  });

  it('rejects an option before any section header', () => {
    const e = parseError(lines('a = 1', '[s]'));
    assert.equal(e.code, 'LJ101');
    assert.equal(e.place.line, 1);
  });

  it('rejects an option line without a key', () => {
    assert.equal(parseError(lines('[s]', '= value')).code, 'LJ101');
  });
});

/** Python's configparser, set up by fail2ban, on the same text: {sections, defaults} or "error". */
function pythonParse(texts: readonly string[]): unknown[] {
  const code = 'import json, sys, tempfile, os\n' +
    'from fail2ban.client.configparserinc import SafeConfigParserWithIncludes as P\n' +
    'out = []\n' +
    'for text in json.load(sys.stdin):\n' +
    '    fd, name = tempfile.mkstemp(suffix=".conf")\n' +
    '    os.write(fd, text.encode()); os.close(fd)\n' +
    '    p = P()\n' +
    '    try:\n' +
    '        p.read(name, get_includes=False)\n' +
    '        out.append({"defaults": dict(p._defaults), "sections": {n: dict(s) for n, s in p._sections.items()}})\n' +
    '    except Exception as e:\n' +
    '        out.append("error")\n' +
    '    os.unlink(name)\n' +
    'print(json.dumps(out))\n';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(texts), encoding: 'utf8' })) as unknown[];
}

function ourParse(text: string): unknown {
  try {
    const ini = parseIni(text, 'x.conf');
    const obj = (m: ReadonlyMap<string, { value: string }>): Record<string, string> =>
      Object.fromEntries([...m].map(([k, v]) => [k, v.value]));
    return { defaults: obj(ini.defaults), sections: Object.fromEntries([...ini.sections].map(([n, s]) => [n, obj(s)])) };
  } catch (e) {
    if (e instanceof LogjailError) return 'error';
    throw e;
  }
}

describe('INI dialect compared with fail2ban\'s parser', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
  const cases = [
    lines('[s]', 'a = 1 ; c', 'b = 2;3', 'c = #4', '  ; inline-only line', '  5 ;x'),
    lines('[s]', 'a =', '', '  x', '', '', '  y', '', 'b=1'),
    lines('[s]', '\ta\t=\tv\t', '    k : v : w', 'x = %(y)s'),
    lines('[DEFAULT]', 'a = 1', '[DEFAULT]', 'b = 2', '[s]', 'a = 3'),
    lines('[s]', 'a = 1', '  [t]', '[t] junk', 'b = 2'),
    lines('[Init?family=inet6]', 'x = 1', '[Init]', 'x = 2'),
    lines('[s]', 'a = 1', 'A = 2'),
    lines('[s]', '[s]'),
    lines('k = v'),
    lines('[s]', 'novalue'),
    lines('[s]', 'a = 1', ' # c', '\t\tb = 2', 'c = 3'),
    '[s]\r\na = 1\r\n  2\r\n',
    lines('[s]', 'u = ünïcödé ; x', 'v = 1\u00a0', 'w = a ;b ;c'),
  ];
  it('parses corner cases exactly like fail2ban (values, or rejection)', () => {
    const theirs = pythonParse(cases);
    cases.forEach((text, i) => assert.deepEqual(ourParse(text), theirs[i], `case ${i}: ${JSON.stringify(text)}`));
  });
});
