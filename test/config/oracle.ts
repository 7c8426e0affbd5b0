/**
 * The reference: what fail2ban 1.0.2's client makes of a configuration tree.
 *
 * `fail2ban-client -c DIR -d` prints the command stream it would send to its server, one
 * Python list per line; python3 turns each into JSON. The stream is then replayed into one
 * record per jail ("set" replaces, "add..." appends), which the tests compare with logjail's.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REFERENCE_DIR = '/etc/fail2ban';
const PYTHON = '/usr/bin/python3';
const TO_JSON = 'import ast, json, sys\n' +
  'for line in sys.stdin:\n' +
  '    if line.startswith("["):\n' +
  '        print(json.dumps(ast.literal_eval(line)))\n';

/** Whether the reference is installed (the differential tests are skipped without it). */
export function referenceAvailable(): boolean {
  try {
    execFileSync('fail2ban-client', ['-V'], { stdio: 'ignore' });
    return fs.existsSync(path.join(REFERENCE_DIR, 'jail.conf'));
  } catch {
    return false;
  }
}

export type Command = readonly unknown[];

export function referenceStream(dir: string): Command[] {
  const dump = execFileSync('fail2ban-client', ['-c', dir, '-d'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const json = execFileSync(PYTHON, ['-c', TO_JSON], { input: dump, encoding: 'utf8' });
  return json.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Command);
}

export interface ReferenceJail {
  readonly name: string;
  backend: string;
  /** Last value of each "set <jail> <opt> <value>". */
  readonly set: Map<string, unknown>;
  readonly failregex: string[];
  readonly ignoreregex: string[];
  readonly journalmatch: string[][];
  readonly ignoreip: string[];
  readonly logpaths: [string, string][];
  /** Action name → its properties in the order they were set. */
  readonly actions: Map<string, Map<string, unknown>>;
  started: boolean;
}

export function referenceJails(stream: readonly Command[]): Map<string, ReferenceJail> {
  const jails = new Map<string, ReferenceJail>();
  const jail = (name: unknown): ReferenceJail => {
    const j = jails.get(String(name));
    if (j === undefined) throw new Error(`stream uses unknown jail ${String(name)}`);
    return j;
  };
  for (const c of stream) {
    const [verb, name, what] = c;
    if (verb === 'add') {
      jails.set(String(name), {
        name: String(name), backend: String(what), set: new Map(), failregex: [], ignoreregex: [], journalmatch: [],
        ignoreip: [], logpaths: [], actions: new Map(), started: false,
      });
    } else if (verb === 'start') {
      jail(name).started = true;
    } else if (verb === 'multi-set' && what === 'action') {
      const props = jail(name).actions.get(String(c[3]))!;
      for (const [k, v] of c[4] as [string, unknown][]) props.set(k, v);
    } else if (verb === 'multi-set') {
      const list = what === 'addfailregex' ? jail(name).failregex : jail(name).ignoreregex;
      list.push(...(c[3] as string[]));
    } else if (verb === 'set' && jails.has(String(name))) {
      const j = jail(name);
      const rest = c.slice(3);
      if (what === 'addfailregex') j.failregex.push(String(rest[0]));
      else if (what === 'addignoreregex') j.ignoreregex.push(String(rest[0]));
      else if (what === 'addjournalmatch') j.journalmatch.push(rest.map(String));
      else if (what === 'addignoreip') j.ignoreip.push(...rest.map(String));
      else if (what === 'addlogpath') j.logpaths.push([String(rest[0]), String(rest[1])]);
      else if (what === 'addaction') j.actions.set(String(rest[0]), new Map());
      else if (what === 'action') j.actions.get(String(rest[0]))!.set(String(rest[1]), rest[2]);
      else j.set.set(String(what), rest[0]);
    }
  }
  return jails;
}

/**
 * A scratch configuration tree: the reference's files (linked, never copied into the
 * repository) overlaid with a fixture's files, plus a `fixture_logs` directory for logpaths.
 */
export function scratchTree(fixture: string | null, logFiles: readonly string[] = []): { dir: string; logs: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logjail-config-'));
  const linkTree = (src: string, dst: string): void => {
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      const from = path.join(src, e.name);
      const to = path.join(dst, e.name);
      if (e.isDirectory() && ['filter.d', 'action.d', 'jail.d', 'fail2ban.d'].includes(e.name)) {
        fs.mkdirSync(to);
        linkTree(from, to);
      } else fs.symlinkSync(from, to);
    }
  };
  linkTree(REFERENCE_DIR, dir);
  if (fixture !== null) copyTree(fixture, dir);
  const logs = path.join(dir, 'log');
  fs.mkdirSync(logs);
  for (const f of logFiles) fs.writeFileSync(path.join(logs, f), '');
  fs.writeFileSync(path.join(dir, 'paths-overrides.local'), `[DEFAULT]\nfixture_logs = ${logs}\n`);
  return { dir, logs, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function copyTree(src: string, dst: string): void {
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, e.name);
    const to = path.join(dst, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(to, { recursive: true });
      copyTree(from, to);
    } else {
      fs.rmSync(to, { force: true });
      fs.copyFileSync(from, to);
    }
  }
}

/** The repository's test/fixtures/config folder (tests run from dist/test/config). */
export function fixtureDir(name: string): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  return path.resolve(here, '../../../test/fixtures/config', name);
}
