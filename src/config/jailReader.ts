/**
 * jail.conf, jail.d/*.conf, jail.local, jail.d/*.local → one entry per jail section, and for
 * every enabled jail its filter, its actions and its typed configuration.
 *
 * The order of reading matters because of `%(known/...)s` and mirrors fail2ban's client:
 *  1. enabled, backend and filter are read from the jail section;
 *  2. the filter is read with those as variables; all its resolved options are stored in the
 *     jail section as "known/<option>" (so `failregex = %(known/failregex)s ...` extends it);
 *  3. all jail options are read; they replace the filter's values and become the variables of
 *     the filter's [Definition] and of every action.
 * Every other key of a jail section is only a variable for `%(...)s` (port, protocol, mode, ...).
 */
import { LogjailError, type Place } from '../errors.js';
import { readActionWith } from './actionReader.js';
import { asBool, pyInt, pyStr } from './definition.js';
import { FILTER_OPTIONS, FilterReading, type FilterOption, type JailValue } from './filterReader.js';
import { INCLUDES_SECTION, type ConfigFiles, type LayeredConfig } from './reader.js';
import { interpolate } from './interpolate.js';
import { extractOptions, splitWithOptions } from './options.js';
import { toJailConfig } from './jailConfig.js';
import { checkTypos } from './typos.js';
import type { TraceSource } from './trace.js';
import type { ActionDefinition, JailEntry } from './types.js';

type OptionType = 'bool' | 'int' | 'string';
export type PyValue = string | number | boolean;

/** The options fail2ban reads from a jail section, in its order, with their types. */
export const JAIL_OPTIONS: ReadonlyMap<string, OptionType> = new Map<string, OptionType>([
  ['enabled', 'bool'], ['backend', 'string'], ['maxretry', 'int'], ['maxmatches', 'int'], ['findtime', 'string'],
  ['bantime', 'string'], ['bantime.increment', 'bool'], ['bantime.factor', 'string'], ['bantime.formula', 'string'],
  ['bantime.multipliers', 'string'], ['bantime.maxtime', 'string'], ['bantime.rndtime', 'string'],
  ['bantime.overalljails', 'bool'], ['ignorecommand', 'string'], ['ignoreself', 'bool'], ['ignoreip', 'string'],
  ['ignorecache', 'string'], ['filter', 'string'], ['logtimezone', 'string'], ['logencoding', 'string'],
  ['logpath', 'string'], ['action', 'string'],
  ['usedns', 'string'], ['prefregex', 'string'], ['ignoreregex', 'string'], ['failregex', 'string'],
  ['maxlines', 'int'], ['datepattern', 'string'], ['journalmatch', 'string'],
]);
/** Values used when an option is absent everywhere (fail2ban's client defaults). */
const FIRST_DEFAULTS: ReadonlyMap<string, PyValue> = new Map<string, PyValue>([
  ['enabled', false], ['backend', 'auto'], ['filter', ''], ['action', ''],
]);

/** Version reported by %(fail2ban_version)s: the fail2ban release whose dialect logjail reads. */
export const FAIL2BAN_VERSION = '1.0.2';
const MAX_JAIL_NAME = 25;

/** Read all jails of the tree. Errors of one jail are kept in its entry; the others still load. */
export function readJails(files: ConfigFiles): JailEntry[] {
  const cfg = files.layered('jail', true);
  if (cfg === null) {
    throw new LogjailError('CONFIG_MISSING_FILE', `no jail.conf, jail.local or jail.d/*.conf under ${files.baseDir}`,
      { file: files.baseDir + '/jail.conf' });
  }
  cfg.mergeDefaults(new Map([['fail2ban_version', FAIL2BAN_VERSION], ['fail2ban_confpath', files.baseDir.replace(/\/+$/, '')]]));
  const out: JailEntry[] = [];
  for (const name of cfg.sectionNames()) {
    if (name === INCLUDES_SECTION) continue;
    out.push(readJail(cfg, files, name));
  }
  checkTypos(cfg, out.filter((j) => j.enabled).map((j) => j.name), JAIL_OPTIONS.keys(), files.diagnostics);
  return out;
}

function readJail(cfg: LayeredConfig, files: ConfigFiles, name: string): JailEntry {
  const place = cfg.sectionPlaces.get(name) ?? { section: name };
  const raw: Record<string, string> = {};
  for (const [k, v] of cfg.sections.get(name) ?? []) raw[k] = v.value;
  let enabled = false;
  try {
    const first = readOptions(cfg, name, ['enabled', 'backend', 'filter']);
    enabled = first.typed.get('enabled') === true;
    if (!enabled) return Object.freeze({ name, enabled, raw: Object.freeze(raw), options: bestEffort(cfg, name), place });
    const config = loadJail(cfg, files, name, first, place);
    return Object.freeze({ name, enabled, raw: Object.freeze(raw), options: config.options, config, place });
  } catch (e) {
    if (!(e instanceof LogjailError)) throw e;
    return Object.freeze({ name, enabled: enabled || asBool(cfg.sections.get(name)?.get('enabled')?.value ?? ''),
      raw: Object.freeze(raw), options: bestEffort(cfg, name), error: e, place });
  }
}

/** The jail options that resolve, for jails that are not (or cannot be) loaded. */
function bestEffort(cfg: LayeredConfig, jail: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of JAIL_OPTIONS.keys()) {
    try {
      const v = cfg.get(jail, key);
      if (v !== undefined) out[key] = v;
    } catch (e) {
      if (!(e instanceof LogjailError)) throw e;
    }
  }
  return Object.freeze(out);
}

interface ReadOptions {
  /** Interpolated strings. */
  readonly text: Map<string, string>;
  /** Converted like fail2ban (bool, int), for use as variables. */
  readonly typed: Map<string, PyValue>;
}

function readOptions(cfg: LayeredConfig, jail: string, keys: Iterable<string>): ReadOptions {
  const text = new Map<string, string>();
  const typed = new Map<string, PyValue>();
  for (const key of keys) {
    const v = cfg.get(jail, key);
    if (v === undefined) {
      const d = FIRST_DEFAULTS.get(key);
      if (d !== undefined) typed.set(key, d);
      continue;
    }
    text.set(key, v);
    const type = JAIL_OPTIONS.get(key) ?? 'string';
    if (type === 'bool') typed.set(key, asBool(v));
    else if (type === 'int') {
      const n = pyInt(v);
      if (n === undefined) {
        throw new LogjailError('CONFIG_VALUE', `${key} must be an integer, got ${JSON.stringify(v)}`, optionPlace(cfg, jail, key));
      }
      typed.set(key, n);
    } else typed.set(key, v);
  }
  return { text, typed };
}

function loadJail(cfg: LayeredConfig, files: ConfigFiles, name: string, first: ReadOptions, place: Place) {
  if (name === '--all') {
    throw new LogjailError('CONFIG_JAIL_NAME', '"--all" is reserved and cannot name a jail', place);
  }
  if (name.length > MAX_JAIL_NAME) {
    files.diagnostics.warn('CONFIG_JAIL_NAME',
      `jail name "${name}" has ${name.length} characters; firewall chain names built from it may be cut`, place);
  }
  const backend = String(first.typed.get('backend'));
  const filterText = String(first.typed.get('filter'));
  const filterPlace = optionPlace(cfg, name, 'filter');

  // Pass 1: the filter with the first options; its values become known/... in the jail section.
  let filter: FilterReading | null = null;
  let filterSpec: { name: string; params: Readonly<Record<string, string>> } | null = null;
  if (filterText !== '') {
    const spec = extractOptions(filterText, filterPlace);
    filterSpec = { name: spec.name, params: spec.options };
    filter = FilterReading.open(files, spec.name, spec.options, filterPlace);
    filter.applyAutoOptions(backend);
    filter.reader.readOptions(asVars(first.typed), true);
    cfg.mergePrefixed(name, filter.reader.combined(), 'known/', filterPlace);
  } else {
    files.diagnostics.warn('CONFIG_VALUE', `jail "${name}" has no filter: it will find nothing`, filterPlace,
      'set filter = NAME (a file in filter.d)');
  }

  // Pass 2: every jail option; then the filter again with them as variables.
  const opts = readOptions(cfg, name, JAIL_OPTIONS.keys());
  const vars = asVars(opts.typed);
  let filterDef = null;
  if (filter !== null) {
    filter.reader.readOptions(vars, false);
    const jailValues = new Map<string, JailValue>();
    for (const opt of FILTER_OPTIONS) {
      const v = opts.typed.get(opt);
      if (v === undefined) continue;
      jailValues.set(opt, { value: pyStr(v), place: optionPlace(cfg, name, opt), trace: jailTrace(cfg, name, opt, filter) });
    }
    filterDef = filter.build(jailValues);
  }

  const actions: ActionDefinition[] = [];
  const actionPlace = optionPlace(cfg, name, 'action');
  for (const item of splitWithOptions(String(opts.typed.get('action') ?? ''))) {
    const text = item.trim();
    if (text === '') continue;
    const spec = extractOptions(text, actionPlace);
    const action = readActionWith(files, spec.name, spec.options, { name, vars }, actionPlace);
    const clash = actions.find((a) => a.actname === action.actname);
    if (clash !== undefined) {
      throw new LogjailError('CONFIG_ACTION_NAME',
        `jail "${name}" has two actions named "${action.actname}" (${clash.file} and ${action.file})`, actionPlace);
    }
    actions.push(action);
  }
  if (actions.length === 0) {
    files.diagnostics.warn('CONFIG_VALUE', `jail "${name}" has no action: it will find but never ban`, actionPlace,
      'set action = NAME[params] (a file in action.d), or banaction = ... in [DEFAULT]');
  }
  return toJailConfig({
    name, place, opts: opts.text, typed: opts.typed, filter: filterDef, filterSpec,
    actions, placeOf: (key) => optionPlace(cfg, name, key), diagnostics: files.diagnostics,
  });
}

/** Variables as fail2ban passes jail options on: Python's str() of the converted values. */
function asVars(typed: ReadonlyMap<string, PyValue>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of typed) out.set(k, pyStr(v));
  return out;
}

export function optionPlace(cfg: LayeredConfig, section: string, key: string): Place {
  const own = cfg.sections.get(section)?.get(key);
  const e = own ?? cfg.defaults.get(key);
  if (e === undefined || e.line === 0) return { section, key };
  return { file: e.file, line: e.line, section: own !== undefined ? section : 'DEFAULT', key };
}

/** Trace the lines of a jail's own filter option back to where they were written. */
function jailTrace(cfg: LayeredConfig, jail: string, key: string, filter: FilterReading): TraceSource | undefined {
  const entry = cfg.entry(jail, key);
  if (entry === undefined) return undefined;
  const source = (k: string, e: typeof entry): TraceSource => ({
    entry: e, section: jail, key: k,
    expandLine: (raw) => interpolate(cfg, jail, k, raw),
    follow: (kind, ref) => {
      if (kind !== '%') return undefined;
      const lower = ref.toLowerCase();
      if (lower.startsWith('known/') && (FILTER_OPTIONS as readonly string[]).includes(lower.slice(6))
        && cfg.sections.get(jail)?.has(lower) === true) {
        return filter.traceSource(lower.slice(6) as FilterOption);
      }
      const next = cfg.entry(jail, lower);
      return next === undefined ? undefined : source(lower, next);
    },
  });
  return source(key, entry);
}
