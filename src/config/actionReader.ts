/**
 * Actions (action.d/NAME.conf + .local + includes) resolved for a jail as fail2ban's client does.
 *
 * The action* commands and the flags come from [Definition], interpolated with the jail's
 * options and the parameters as `%(...)s` variables, then with `<tag>`s resolved among the
 * action's options. Tags that have `?family=` variants, `<bantime>`, `<timeout>` and the log
 * derived `<matches>` tags stay for run time. Parameters and [Init] values are handed over raw:
 * the executor resolves them with `replaceTags` when it runs a command.
 *
 * Naming: the parameter `name` defaults to the jail's name; the action's name in the jail
 * (`actname`) defaults to the file name, suffixed when `name` differs from the jail's:
 * `iptables[name=SSH]` in jail sshd is "iptables-SSH", `iptables[name=sshd-udp]` is "iptables-udp".
 */
import * as path from 'node:path';
import { LogjailError, type Place } from '../errors.js';
import { asBool, DefinitionReader } from './definition.js';
import { Diagnostics } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { ConfigFiles, joinPath } from './reader.js';
import { ESCAPED_TAGS, hasFamilyConditionals } from './tags.js';
import type { ActionCommands, ActionDefinition } from './types.js';

export const ACTION_OPTIONS = ['actionstart', 'actionstart_on_demand', 'actionstop', 'actionflush', 'actionreload',
  'actioncheck', 'actionrepair', 'actionrepair_on_unban', 'actionban', 'actionprolong', 'actionreban', 'actionunban',
  'norestored'] as const;
const ACTION_OPTION_SET: ReadonlySet<string> = new Set(ACTION_OPTIONS);
const COMMANDS: readonly (keyof ActionCommands)[] = ['actionstart', 'actionstop', 'actionflush', 'actionreload',
  'actioncheck', 'actionrepair', 'actionban', 'actionprolong', 'actionreban', 'actionunban'];
/** Left for run time: they change per ban or per command. */
const RUNTIME_TAGS = [...ESCAPED_TAGS, 'timeout', 'bantime'];
const DEFAULT_TIMEOUT = 60;

/** The jail an action is read for: its name and its resolved options (the `%(...)s` variables). */
export interface JailContext {
  readonly name: string;
  readonly vars?: ReadonlyMap<string, string>;
}

/** Parameters completed with `name` and `actname` (see the module comment). */
export function nameAction(file: string, params: Readonly<Record<string, string>>, jailName: string): Record<string, string> {
  const out: Record<string, string> = { ...params };
  const name = out['name'] ?? (out['name'] = jailName);
  if (out['actname'] === undefined) {
    let actname = file;
    if (name !== jailName) actname += name.startsWith(jailName) ? name.slice(jailName.length) : '-' + name;
    out['actname'] = actname;
  }
  return out;
}

/** Ban actions built into logjail: they have no action.d file and run no shell. */
export const BUILTIN_ACTIONS: ReadonlySet<string> = new Set(['logjail-nftables']);

function builtinAction(file: string, actname: string, params: Readonly<Record<string, string>>, place: Place): ActionDefinition {
  return Object.freeze({
    file,
    actname,
    path: '',
    python: false,
    builtin: true,
    commands: Object.freeze({}),
    properties: Object.freeze({ ...params }),
    timeout: DEFAULT_TIMEOUT,
    norestored: false,
    hasFamilyConditionals: false,
    place,
  });
}

/** Read action FILE with PARAMS for a jail, sharing parsed files through `files`. */
export function readActionWith(files: ConfigFiles, file: string, params: Readonly<Record<string, string>>,
  jail: JailContext, place: Place = {}): ActionDefinition {
  if (file.endsWith('.py')) return pythonAction(files, file, params, place);
  const init = nameAction(file, params, jail.name);
  const layerName = file.startsWith('./') ? path.resolve(file) : joinPath('action.d', file);
  const cfg = files.layered(layerName);
  if (cfg === null && BUILTIN_ACTIONS.has(file)) return builtinAction(file, init['actname'] ?? file, init, place);
  if (cfg === null) {
    throw new LogjailError('CONFIG_MISSING_FILE',
      `action "${file}" not found (looked for ${joinPath(files.baseDir, layerName)}.conf/.local)`, place);
  }
  const reader = new DefinitionReader(cfg, cfg.roots[0]!, init, ACTION_OPTIONS);
  reader.readOptions(jail.vars, false);
  const combined = reader.combined(RUNTIME_TAGS);

  const properties: Record<string, string> = {};
  for (const [k, v] of combined) if (ACTION_OPTION_SET.has(k) && !k.startsWith('known/')) properties[k] = v;
  for (const [k, v] of reader.initOpts) if (!ACTION_OPTION_SET.has(k) && !k.startsWith('known/')) properties[k] = v;

  const commands: { -readonly [K in keyof ActionCommands]: string } = {};
  for (const c of COMMANDS) {
    const v = combined.get(c);
    if (v !== undefined) commands[c] = v;
  }
  const flag = (k: string): boolean | undefined => {
    const v = combined.get(k);
    return v === undefined ? undefined : asBool(v);
  };
  const startOnDemand = flag('actionstart_on_demand');
  const repairOnUnban = flag('actionrepair_on_unban');
  const timeoutText = properties['timeout'];
  const timeout = timeoutText === undefined ? DEFAULT_TIMEOUT
    : parseDuration(timeoutText, { ...place, file: cfg.roots[0]!, key: 'timeout' });

  return Object.freeze({
    file,
    actname: init['actname']!,
    path: cfg.roots[0]!,
    python: false,
    commands: Object.freeze(commands),
    properties: Object.freeze(properties),
    timeout,
    norestored: flag('norestored') ?? false,
    ...(startOnDemand !== undefined ? { startOnDemand } : {}),
    ...(repairOnUnban !== undefined ? { repairOnUnban } : {}),
    hasFamilyConditionals: hasFamilyConditionals(Object.keys(properties)),
    place: Object.freeze({ ...place }),
  });
}

/** A Python action (action.d/x.py): recognised, flagged, not runnable by logjail. */
function pythonAction(files: ConfigFiles, file: string, params: Readonly<Record<string, string>>, place: Place): ActionDefinition {
  const { actname, ...kwargs } = params;
  const full = path.isAbsolute(file) ? file : path.join(files.baseDir, 'action.d', file);
  files.diagnostics.warn('CONFIG_PYTHON_ACTION',
    `"${file}" is a Python action; logjail cannot run Python actions and will skip it`, place);
  return Object.freeze({
    file,
    actname: actname ?? path.basename(file, '.py'),
    path: full,
    python: true,
    commands: Object.freeze({}),
    properties: Object.freeze({ ...kwargs }),
    timeout: DEFAULT_TIMEOUT,
    norestored: false,
    hasFamilyConditionals: false,
    place: Object.freeze({ ...place }),
  });
}

/**
 * Read action NAME from BASEDIR/action.d with PARAMS for a jail (`jail.options`: the jail's
 * resolved options, used as `%(...)s` variables).
 */
export function readAction(baseDir: string, name: string, params: Readonly<Record<string, string>>,
  jail: { readonly name: string; readonly options?: Readonly<Record<string, string>> }): ActionDefinition {
  const vars = jail.options === undefined ? undefined : new Map(Object.entries(jail.options));
  return readActionWith(new ConfigFiles(baseDir, new Diagnostics()), name, params,
    vars === undefined ? { name: jail.name } : { name: jail.name, vars });
}
