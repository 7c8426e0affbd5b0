/**
 * `logjail check [--config DIR] [--json]`: load a configuration tree the way the daemon would
 * and report every problem with its place and a fix.
 *
 * Checked: fail2ban.conf, every jail section, the filter and actions of each enabled jail, and
 * every file of filter.d and action.d (each must parse; one that is used by no enabled jail and
 * does not resolve only gives a warning, as fail2ban never reads it). Exit status: 78 when there
 * is an error, 0 otherwise (warnings do not change it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXIT, formatPlace, LogjailError, type Place } from '../errors.js';
import { readActionWith } from '../config/actionReader.js';
import { Diagnostics, type ConfigWarning } from '../config/diagnostics.js';
import { readFilterWith } from '../config/filterReader.js';
import { expandGlob } from '../config/glob.js';
import { parseIni } from '../config/ini.js';
import { loadConfigWith } from '../config/load.js';
import { ConfigFiles, readText } from '../config/reader.js';
import type { FilterDefinition, LoadedConfig } from '../config/types.js';

/**
 * HOOK for the filter engine: compile a filter's regexes and return (or throw) the problems.
 * The check command calls it for the filter of every enabled jail (problems are errors) and
 * for every other filter in filter.d that has a failregex (problems are warnings).
 */
export type FilterValidator = (filter: FilterDefinition, context: { readonly jail?: string }) => readonly LogjailError[] | void;

let filterValidator: FilterValidator | null = null;

/** Install (or remove, with null) the filter engine's validation step. */
export function setFilterValidator(fn: FilterValidator | null): void {
  filterValidator = fn;
}

export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly place: Place;
  readonly hint: string;
  /** The jail being loaded when the problem was found. */
  readonly jail?: string;
}

export interface CheckReport {
  readonly configDir: string;
  readonly loadMs: number;
  readonly jails: readonly { readonly name: string; readonly enabled: boolean; readonly ok: boolean }[];
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** The bundled configuration folder of the repository (next to dist/). */
export function bundledConfigDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../config');
}

export function checkConfig(dir: string): CheckReport {
  const configDir = path.resolve(dir);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const diagnostics = new Diagnostics();
  const files = new ConfigFiles(configDir, diagnostics);
  const started = performance.now();
  let loaded: LoadedConfig | null = null;
  try {
    loaded = loadConfigWith(files);
  } catch (e) {
    errors.push(problem('error', asConfigError(e)));
  }
  const loadMs = performance.now() - started;

  const usedFilters = new Set<string>();
  const usedActions = new Set<string>();
  for (const j of loaded?.jails ?? []) {
    if (j.error !== undefined) { errors.push(problem('error', asConfigError(j.error), j.name)); continue; }
    const c = j.config;
    if (c === undefined) continue;
    if (c.filter !== null) {
      usedFilters.add(c.filter.file);
      validate(c.filter, j.name, 'error', errors);
    }
    for (const a of c.actions) usedActions.add(a.path);
    if (!c.backend.name.startsWith('systemd') && c.logpaths.every((p) => expandGlob(p.pattern).length === 0)) {
      warnings.push(problem('warning', new LogjailError('CONFIG_NO_LOGFILE',
        `no file matches ${c.logpaths.map((p) => JSON.stringify(p.pattern)).join(', ') || 'the (empty) logpath'}`,
        c.logpaths[0]?.place ?? c.place), j.name));
    }
  }
  checkFolder(files, 'filter.d', usedFilters, errors, warnings);
  checkFolder(files, 'action.d', usedActions, errors, warnings);
  for (const w of diagnostics.warnings) warnings.push(fromWarning(w));

  return Object.freeze({
    configDir,
    loadMs,
    jails: (loaded?.jails ?? []).map((j) => ({ name: j.name, enabled: j.enabled, ok: j.error === undefined })),
    errors,
    warnings,
  });
}

/** Parse every file of a folder; resolve the unused ones too (problems there are warnings). */
function checkFolder(files: ConfigFiles, folder: 'filter.d' | 'action.d', used: ReadonlySet<string>,
  errors: Problem[], warnings: Problem[]): void {
  const dir = path.join(files.baseDir, folder);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.(conf|local)$/.test(n) && !n.startsWith('.')).sort();
  } catch {
    return;
  }
  const stems = new Set<string>();
  // Files other files include (common.conf, iptables.conf, ...) are libraries, not filters or
  // actions of their own: they are parsed but not resolved alone.
  const included = new Set<string>();
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      if (!fs.statSync(file).isFile()) continue;
      const ini = parseIni(readText(file), file);
      stems.add(n.replace(/\.(conf|local)$/, ''));
      const inc = ini.sections.get('INCLUDES');
      for (const key of ['before', 'after']) {
        for (const item of (inc?.get(key)?.value ?? '').split('\n')) {
          if (item !== '') included.add(path.resolve(dir, item).replace(/\.(conf|local)$/, ''));
        }
      }
    } catch (e) {
      errors.push(problem('error', asConfigError(e)));
    }
  }
  for (const stem of stems) {
    if (included.has(path.join(dir, stem))) continue;
    const main = [path.join(dir, stem + '.conf'), path.join(dir, stem + '.local')].find((f) => fs.existsSync(f))!;
    if (used.has(main)) continue;
    try {
      if (folder === 'filter.d') {
        const f = readFilterWith(files, stem);
        if (f.failregex.length > 0) validate(f, undefined, 'warning', warnings);
      } else {
        readActionWith(files, stem, {}, { name: 'check' });
      }
    } catch (e) {
      warnings.push(problem('warning', asConfigError(e), undefined, ` (${folder}/${stem} is used by no enabled jail)`));
    }
  }
}

function validate(filter: FilterDefinition, jail: string | undefined, severity: Problem['severity'], into: Problem[]): void {
  if (filterValidator === null) return;
  let found: readonly LogjailError[] = [];
  try {
    found = filterValidator(filter, jail === undefined ? {} : { jail }) ?? [];
  } catch (e) {
    found = [asConfigError(e)];
  }
  for (const e of found) into.push(problem(severity, e, jail));
}

/** Configuration errors are LogjailErrors; anything else is a bug and goes up with its stack. */
function asConfigError(e: unknown): LogjailError {
  if (e instanceof LogjailError) return e;
  throw e;
}

function problem(severity: Problem['severity'], e: LogjailError, jail?: string, note = ''): Problem {
  return Object.freeze({
    severity, code: e.code, title: e.spec.title, detail: e.detail + note, place: e.place, hint: e.hint,
    ...(jail !== undefined ? { jail } : {}),
  });
}

function fromWarning(w: ConfigWarning): Problem {
  return Object.freeze({ severity: 'warning', code: w.code, title: w.title, detail: w.detail, place: w.place, hint: w.hint });
}

export function renderProblem(p: Problem): string {
  const where = formatPlace(p.place);
  const jail = p.jail !== undefined && p.place.section !== p.jail ? ` (jail "${p.jail}")` : '';
  return `${p.severity} ${p.code}: ${where ? where + ': ' : ''}${p.title}: ${p.detail}${jail}\n  hint: ${p.hint}`;
}

const HELP = `usage: logjail check [--config DIR] [--json]

Load a fail2ban-style configuration tree (fail2ban.conf, jail.conf/.local/.d, filter.d, action.d)
and report every problem. Exit status 78 when there is an error, 0 otherwise.

  -c, --config DIR   configuration directory (default: the bundled ${'config/'} folder)
      --json         print the report as JSON
  -h, --help         this text
`;

export async function checkCommand(argv: string[]): Promise<number> {
  let values: { config?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new LogjailError('USAGE', `check: ${(e as Error).message}`, {}, 'run "logjail check --help"');
  }
  if (values.help === true) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  const dir = values.config ?? bundledConfigDir();
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new LogjailError('CONFIG_MISSING_FILE', `configuration directory ${JSON.stringify(dir)} does not exist`, {},
      'give the folder holding jail.conf with --config, e.g. --config /etc/fail2ban');
  }
  const report = checkConfig(dir);
  if (values.json === true) {
    process.stdout.write(JSON.stringify({ ok: report.errors.length === 0, ...report }, null, 2) + '\n');
  } else {
    for (const p of [...report.errors, ...report.warnings]) process.stdout.write(renderProblem(p) + '\n');
    const enabled = report.jails.filter((j) => j.enabled).length;
    process.stdout.write(`logjail check: ${plural(report.errors.length, 'error')}, ${plural(report.warnings.length, 'warning')} ` +
      `in ${report.configDir} (${plural(report.jails.length, 'jail')}, ${enabled} enabled; loaded in ${report.loadMs.toFixed(0)} ms)\n`);
  }
  return report.errors.length > 0 ? EXIT.CONFIG : EXIT.OK;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
