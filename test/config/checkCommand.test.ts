import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LogjailError } from '../../src/errors.js';
import { checkConfig, setFilterValidator } from '../../src/cli/checkCommand.js';
import { REFERENCE_DIR, referenceAvailable } from './oracle.js';
import { lines, makeTree, type Tree } from './tree.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/logjail');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function goodTree(): Tree {
  const t = makeTree({
    'jail.conf': lines('[app]', 'enabled = true', 'filter = app', 'action = note', 'logpath = %(here)s/app.log'),
    'filter.d/app.conf': lines('[Definition]', 'failregex = ^fail <HOST>$'),
    'filter.d/spare.conf': lines('[Definition]', 'failregex = ^spare <HOST>$'),
    'action.d/note.conf': lines('[Definition]', 'actionban = echo <ip>'),
    'app.log': '',
  });
  t.write('jail.local', lines('[DEFAULT]', `here = ${t.dir}`));
  return t;
}

describe('logjail check', () => {
  it('exits 0 and reports no problem for a clean tree', (t) => {
    const x = goodTree();
    t.after(x.remove);
    const r = run('check', '--config', x.dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 errors, 0 warnings/);
    assert.match(r.stdout, /1 jail, 1 enabled; loaded in \d+ ms/);
  });

  it('exits 78 on a configuration error and names file, line, key and a fix, without a stack trace', (t) => {
    const x = goodTree();
    t.after(x.remove);
    x.write('jail.d/broken.local', lines('[app]', 'findtime = ten minutes'));
    const r = run('check', '--config', x.dir);
    assert.equal(r.status, 78);
    assert.ok(r.stdout.includes(`error LJ111: ${x.path('jail.d/broken.local')}:2: [app] findtime: invalid duration`), r.stdout);
    assert.match(r.stdout, /hint: use seconds or a duration/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('exits 78 when a file of filter.d that no jail uses does not parse', (t) => {
    const x = goodTree();
    t.after(x.remove);
    x.write('filter.d/broken.conf', lines('[Definition]', 'failregex = ^a <HOST>', 'oops'));
    const r = run('check', '--config', x.dir);
    assert.equal(r.status, 78);
    assert.ok(r.stdout.includes(`error LJ101: ${x.path('filter.d/broken.conf')}:3:`), r.stdout);
  });

  it('only warns about an unused filter that does not resolve', (t) => {
    const x = goodTree();
    t.after(x.remove);
    x.write('filter.d/unresolved.conf', lines('[Definition]', 'failregex = %(nothere)s <HOST>'));
    const r = run('check', '--config', x.dir);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /warning LJ103: .*unresolved\.conf:2: .*used by no enabled jail/);
  });

  it('prints a JSON report with --json', (t) => {
    const x = goodTree();
    t.after(x.remove);
    x.write('jail.d/broken.local', lines('[app]', 'maxretry = many', 'bantme = 1h'));
    const r = run('check', '--config', x.dir, '--json');
    assert.equal(r.status, 78);
    const report = JSON.parse(r.stdout) as { ok: boolean; errors: { code: string; place: { line: number; key: string } }[];
      warnings: { code: string; place: { key: string } }[]; jails: { name: string; ok: boolean }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.errors.map((e) => [e.code, e.place.line, e.place.key]), [['LJ109', 2, 'maxretry']]);
    assert.deepEqual(report.warnings.map((w) => [w.code, w.place.key]), [['LJ110', 'bantme']]);
    assert.deepEqual(report.jails, [{ name: 'app', enabled: true, ok: false }]);
  });

  it('rejects unknown options and a missing directory', () => {
    const bad = run('check', '--frobnicate');
    assert.equal(bad.status, 64);
    assert.match(bad.stderr, /LJ501/);
    const missing = run('check', '--config', '/nonexistent/dir');
    assert.equal(missing.status, 78);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });

  it('runs the filter validator: errors for used filters, warnings for the others', (t) => {
    const x = goodTree();
    t.after(x.remove);
    const seen: string[] = [];
    setFilterValidator((f, ctx) => {
      seen.push(`${f.name}:${ctx.jail ?? '-'}`);
      return [new LogjailError('REGEX_SYNTAX', `cannot compile ${f.failregex[0]!}`, f.places.failregex[0] ?? {})];
    });
    t.after(() => setFilterValidator(null));
    const report = checkConfig(x.dir);
    assert.deepEqual(seen.sort(), ['app:app', 'spare:-']);
    assert.deepEqual(report.errors.map((e) => [e.code, e.place.file, e.place.line, e.jail]), [['LJ201', x.path('filter.d/app.conf'), 2, 'app']]);
    assert.ok(report.warnings.some((w) => w.code === 'LJ201' && w.place.file === x.path('filter.d/spare.conf')));
  });

  it('loads the installed /etc/fail2ban without errors, every filter.d and action.d file included', { skip: referenceAvailable() ? false : 'fail2ban is not installed' }, () => {
    const report = checkConfig(REFERENCE_DIR);
    assert.deepEqual(report.errors, []);
    assert.ok(report.warnings.every((w) => w.code === 'LJ116'), JSON.stringify(report.warnings));
    assert.ok(report.loadMs < 1000, `loading took ${report.loadMs} ms`);
  });
});
