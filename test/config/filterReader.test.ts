import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogjailError } from '../../src/errors.js';
import { readFilter } from '../../src/config/filterReader.js';
import { lines, makeTree, type Tree } from './tree.js';

/** A small filter family written for these tests: a shared prefix file and two filters. */
function filters(): Tree {
  return makeTree({
    'filter.d/base.conf': lines(
      '[DEFAULT]',
      'logtype = file',
      '_svc = \\S+',
      '__pre = <pre_<logtype>/line>',
      '[pre_file]',
      'line = ^\\S+ <_svc>\\[\\d+\\]:\\s',
      '[pre_journal]',
      'line = ^',
    ),
    'filter.d/web.conf': lines(
      '[INCLUDES]',
      'before = base.conf',
      '[DEFAULT]',
      '_svc = webd',
      '[Init]',
      'level = normal',
      'agents = curl|wget',
      'journalmatch = _SYSTEMD_UNIT=webd.service',
      '[Definition]',
      'prefregex = %(__pre)s<F-CONTENT>.+</F-CONTENT>$',
      'rules-normal = ^login failed for <F-USER>\\S+</F-USER> from <HOST>$',
      '',
      '               ^bad token from <HOST>$',
      'rules-strict = <rules-normal>',
      '               ^agent (?:<agents>) from <HOST>$',
      'failregex = <rules-<level>>',
      '            ^always <HOST>$',
      'ignoreregex = ^ignored <HOST>',
      'datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S',
      '              {^LN-BEG}',
      'maxlines = 1',
    ),
    'filter.d/web.local': lines('[Init]', 'agents = curl|wget|python'),
    'filter.d/bad-maxlines.conf': lines('[Definition]', 'failregex = ^x <HOST>', 'maxlines = two'),
    'filter.d/bad-journal.conf': lines('[Definition]', 'failregex = ^x <HOST>', 'journalmatch = _COMM="unterminated'),
    'filter.d/own-logtype.conf': lines('[Definition]', 'logtype = custom', 'failregex = ^<logtype> <HOST>'),
    'custom/extra.conf': lines('[INCLUDES]', 'before = ../filter.d/base.conf', '[Definition]', 'failregex = %(__pre)sextra <HOST>'),
    'custom/extra.local': lines('[Definition]', 'ignoreregex = ^noise'),
  });
}

describe('filter reader', () => {
  it('resolves %(...)s and <tag>s, nested tags included, and keeps fail2ban\'s own tags', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web');
    assert.equal(f.prefregex, '^\\S+ webd\\[\\d+\\]:\\s<F-CONTENT>.+</F-CONTENT>$');
    assert.deepEqual(f.failregex, ['^login failed for <F-USER>\\S+</F-USER> from <HOST>$', '^bad token from <HOST>$', '^always <HOST>$']);
    assert.deepEqual(f.ignoreregex, ['^ignored <HOST>']);
  });

  it('splits multi-line values into one regex per line and drops empty lines', (t) => {
    const tree = filters();
    t.after(tree.remove);
    assert.equal(readFilter(tree.dir, 'web').failregex.length, 3);
  });

  it('takes parameters over [Init] (and .local [Init] over .conf)', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const strict = readFilter(tree.dir, 'web', { level: 'strict' });
    assert.equal(strict.failregex[2], '^agent (?:curl|wget|python) from <HOST>$');
    assert.equal(strict.options['level'], 'strict');
    assert.equal(strict.options['agents'], 'curl|wget|python');
  });

  it('lets a parameter extend the [Init] default with <known/...>', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web', { level: 'strict', agents: 'nikto|<known/agents>' });
    assert.equal(f.failregex[2], '^agent (?:nikto|curl|wget|python) from <HOST>$');
  });

  it('sets logtype to file, or journal for a systemd backend, unless it is given', (t) => {
    const tree = filters();
    t.after(tree.remove);
    assert.equal(readFilter(tree.dir, 'web').options['logtype'], 'file');
    const journal = readFilter(tree.dir, 'web', {}, { backend: 'systemd[journalflags=1]' });
    assert.equal(journal.options['logtype'], 'journal');
    assert.equal(journal.prefregex, '^<F-CONTENT>.+</F-CONTENT>$');
    assert.equal(readFilter(tree.dir, 'web', { logtype: 'file' }, { backend: 'systemd' }).options['logtype'], 'file');
    assert.deepEqual(readFilter(tree.dir, 'own-logtype').failregex, ['^custom <HOST>']);
  });

  it('reads datepattern with %% turned into %, maxlines as a number and journalmatch split like a shell', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web');
    assert.equal(f.datepattern, '^%Y-%m-%d %H:%M:%S\n{^LN-BEG}');
    assert.equal(f.maxlines, 1);
    assert.deepEqual(f.journalmatch, [['_SYSTEMD_UNIT=webd.service']]);
  });

  it('applies a jail\'s own values over the filter\'s', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web', {}, { failregex: '^mine <HOST>\n\n^also <HOST>', maxlines: '3', datepattern: '{NONE}' });
    assert.deepEqual(f.failregex, ['^mine <HOST>', '^also <HOST>']);
    assert.equal(f.maxlines, 3);
    assert.equal(f.datepattern, '{NONE}');
    assert.deepEqual(f.ignoreregex, ['^ignored <HOST>'], 'what the jail does not set stays');
  });

  it('reads a filter given as a path to a file, with its includes and its .local', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, tree.path('custom/extra.conf'));
    assert.deepEqual(f.failregex, ['^\\S+ \\S+\\[\\d+\\]:\\sextra <HOST>']);
    assert.deepEqual(f.ignoreregex, ['^noise']);
    assert.equal(f.file, tree.path('custom/extra.conf'));
  });

  it('reads a filter given as an absolute name without extension, with its layers', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter('/nonexistent', tree.path('filter.d/web'), { level: 'strict' });
    assert.equal(f.failregex[2], '^agent (?:curl|wget|python) from <HOST>$', 'web.local is read too');
  });

  it('reads a filter given relative to the working directory as ./file', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const cwd = process.cwd();
    t.after(() => process.chdir(cwd));
    process.chdir(tree.path('custom'));
    assert.deepEqual(readFilter('/nonexistent', './extra.local').ignoreregex, ['^noise']);
  });

  it('records where each regex was written, following single references to their lines', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web');
    const file = tree.path('filter.d/web.conf');
    assert.deepEqual(f.places.failregex.map((p) => [p.file, p.line, p.key]),
      [[file, 11, 'rules-normal'], [file, 13, 'rules-normal'], [file, 17, 'failregex']]);
    assert.equal(f.places.prefregex?.line, 10);
    assert.equal(f.places.ignoreregex[0]?.line, 18);
  });

  it('reports an unknown filter, a bad maxlines and an unbalanced journalmatch quote with their places', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const check = (name: string, code: string, key?: string): void => {
      assert.throws(() => readFilter(tree.dir, name), (e: unknown) => {
        assert.ok(e instanceof LogjailError);
        assert.equal(e.code, code);
        if (key !== undefined) {
          assert.equal(e.place.key, key);
          assert.equal(e.place.file, tree.path(`filter.d/${name}.conf`));
        }
        return true;
      });
    };
    check('nothere', 'LJ401');
    check('bad-maxlines', 'LJ403', 'maxlines');
    check('bad-journal', 'LJ109', 'journalmatch');
  });

  it('returns frozen results', (t) => {
    const tree = filters();
    t.after(tree.remove);
    const f = readFilter(tree.dir, 'web');
    assert.ok(Object.isFrozen(f) && Object.isFrozen(f.failregex) && Object.isFrozen(f.options) && Object.isFrozen(f.places));
  });
});
