/**
 * logjail's configuration reader against fail2ban's own client, on the installed /etc/fail2ban
 * and on fixture trees layered over it: every jail's filter, options, log files and actions
 * must come out as fail2ban's `fail2ban-client -d` command stream has them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { expandGlob } from '../../src/config/glob.js';
import { asBool } from '../../src/config/definition.js';
import type { JailConfig, LoadedConfig } from '../../src/config/types.js';
import {
  fixtureDir, REFERENCE_DIR, referenceAvailable, referenceJails, referenceStream, scratchTree, type ReferenceJail,
} from './oracle.js';

const skip = referenceAvailable() ? false : 'fail2ban 1.0.2 is not installed';

/** fail2ban's own str2seconds for each text (the server converts findtime/bantime with it). */
function referenceSeconds(texts: readonly string[]): number[] {
  const code = 'import json, sys\nfrom fail2ban.server.mytime import MyTime\n' +
    'print(json.dumps([float(MyTime.str2seconds(t)) for t in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(texts), encoding: 'utf8' })) as number[];
}

const INT_OPTIONS = new Set(['maxretry', 'maxmatches']);
const BOOL_OPTIONS = new Set(['ignoreself', 'bantime.increment', 'bantime.overalljails']);
const STRING_OPTIONS = ['findtime', 'bantime', 'bantime.factor', 'bantime.formula', 'bantime.multipliers', 'bantime.maxtime',
  'bantime.rndtime', 'ignorecommand', 'ignorecache', 'logencoding', 'logtimezone'];
const ACTION_BOOLS = new Set(['actionstart_on_demand', 'actionrepair_on_unban', 'norestored']);

/** Compare one jail field by field, so that a failure names the jail and the field. */
function compareJail(ref: ReferenceJail, cfg: JailConfig): void {
  const f = cfg.filter;
  assert.ok(f, `jail ${ref.name} has a filter`);
  const what = (field: string): string => `jail ${ref.name}: ${field}`;
  assert.equal(cfg.options['backend'] ?? 'auto', ref.backend, what('backend'));
  assert.equal(cfg.useDns, String(ref.set.get('usedns') ?? 'warn').toLowerCase(), what('usedns'));
  const pref = ref.set.get('prefregex');
  assert.equal(f.prefregex, pref === '' ? undefined : pref, what('prefregex'));
  assert.equal(f.maxlines, ref.set.get('maxlines') ?? 1, what('maxlines'));
  assert.deepEqual(f.failregex, ref.failregex, what('failregex'));
  assert.deepEqual(f.ignoreregex, ref.ignoreregex, what('ignoreregex'));
  assert.equal(f.datepattern, ref.set.get('datepattern'), what('datepattern'));
  assert.deepEqual(f.journalmatch, ref.journalmatch, what('journalmatch'));
  assert.deepEqual(cfg.ignoreIp, ref.ignoreip, what('ignoreip'));
  for (const k of INT_OPTIONS) assert.equal(mapOpt(cfg.options[k], Number), ref.set.get(k), what(k));
  for (const k of BOOL_OPTIONS) assert.equal(mapOpt(cfg.options[k], asBool), ref.set.get(k), what(k));
  for (const k of STRING_OPTIONS) assert.equal(cfg.options[k], ref.set.get(k), what(k));
  if (ref.set.has('maxretry')) assert.equal(cfg.maxRetry, ref.set.get('maxretry'), what('maxRetry'));
  assert.deepEqual(expandedLogPaths(cfg), ref.logpaths, what('log files'));

  const ours = cfg.actions.filter((a) => !a.python);
  assert.deepEqual(ours.map((a) => a.actname), [...ref.actions.keys()], what('action names'));
  for (const a of ours) {
    const refProps = ref.actions.get(a.actname)!;
    const mine = new Map<string, unknown>(Object.entries(a.properties).map(([k, v]) => [k, ACTION_BOOLS.has(k) ? asBool(v) : v]));
    assert.deepEqual(mine, refProps, what(`action ${a.actname} properties`));
  }
}

function mapOpt<T>(v: string | undefined, f: (s: string) => T): T | undefined {
  return v === undefined ? undefined : f(v);
}

function compareTree(dir: string): { ours: LoadedConfig; refs: Map<string, ReferenceJail> } {
  const refs = referenceJails(referenceStream(dir));
  const ours = loadConfig(dir);
  const loaded = ours.jails.filter((j) => j.enabled);
  for (const j of loaded) assert.equal(j.error, undefined, `jail ${j.name} loads without error`);
  assert.deepEqual(loaded.map((j) => j.name), [...refs.keys()], 'the same jails are enabled, in the same order');
  for (const j of loaded) compareJail(refs.get(j.name)!, j.config!);
  // Durations: the seconds logjail computes are the ones fail2ban's server would.
  const texts = loaded.flatMap((j) => [j.config!.options['findtime'], j.config!.options['bantime']]).filter((t): t is string => t !== undefined);
  const seconds = loaded.flatMap((j) => [j.config!.options['findtime'] !== undefined ? j.config!.findTime : undefined,
    j.config!.options['bantime'] !== undefined ? j.config!.banTime : undefined]).filter((s): s is number => s !== undefined);
  assert.deepEqual(seconds, referenceSeconds(texts), 'findtime and bantime in seconds');
  return { ours, refs };
}

/** Log files found for a jail, as fail2ban's client lists them (glob expanded, head or tail). */
function expandedLogPaths(cfg: JailConfig): [string, string][] {
  return cfg.logpaths.flatMap((p) => expandGlob(p.pattern).map((f): [string, string] => [f, p.tail ? 'tail' : 'head']));
}

describe('configuration reader compared with fail2ban-client', { skip }, () => {
  it('reads the installed /etc/fail2ban exactly as fail2ban does', () => {
    compareTree(REFERENCE_DIR);
  });

  it('reads every stock jail of jail.conf, all enabled, exactly as fail2ban does', () => {
    const tree = scratchTree(null);
    after(tree.remove);
    fs.writeFileSync(`${tree.dir}/jail.d/zz-enable-all.local`, '[DEFAULT]\nenabled = true\n');
    const { ours } = compareTree(tree.dir);
    assert.ok(ours.jails.filter((j) => j.enabled).length > 80, 'all stock jails are enabled');
  });

  it('reads stock jails enabled with modes, log files, a custom jail and parameterised actions', () => {
    const tree = scratchTree(fixtureDir('stock-jails'), ['auth.log', 'mail.log', 'nginx-error.log', 'nginx-ssl.log', 'fail2ban.log', 'app.log', 'app-extra.log']);
    after(tree.remove);
    const { ours, refs } = compareTree(tree.dir);
    assert.equal(refs.get('nginx-http-auth')!.logpaths.length, 2, 'a glob found both nginx logs');
    assert.deepEqual(refs.get('postfix')!.logpaths.map(([, where]) => where), ['tail']);
    const webapp = ours.jails.find((j) => j.name === 'webapp')!.config!;
    assert.deepEqual(webapp.actions.map((a) => a.actname), ['iptables-WEB', 'sendmail-whois-WEB', 'dummy']);
  });

  it('extends stock values with %(known/...)s and <known/...>, as fail2ban does', () => {
    const tree = scratchTree(fixtureDir('known-extend'), ['auth.log', 'mail.log', 'mongodb.log', 'access.log']);
    after(tree.remove);
    const { ours } = compareTree(tree.dir);
    const sshd = ours.jails.find((j) => j.name === 'sshd')!.config!;
    assert.equal(sshd.filter!.failregex.at(-1), '^Rejected probe from <HOST> on port \\d+$');
    assert.equal(sshd.filter!.failregex.at(-2), '^Local rule: bad login from <HOST>$');
  });
});
