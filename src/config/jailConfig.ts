/**
 * A jail's resolved options → the typed, frozen JailConfig the daemon runs.
 *
 * When an option is absent the value is the one fail2ban's server uses when it is not told
 * otherwise (stock jail.conf sets most of them in [DEFAULT] anyway): maxretry 3, findtime and
 * bantime 10 minutes, maxmatches 5, usedns warn, ignoreself true, logencoding auto.
 */
import { LogjailError, type Place } from '../errors.js';
import type { Diagnostics } from './diagnostics.js';
import { pyInt } from './definition.js';
import { parseDuration } from './duration.js';
import { extractOptions } from './options.js';
import type { PyValue } from './jailReader.js';
import type {
  ActionDefinition, BanTimeIncrement, FilterDefinition, IgnoreCache, JailConfig, LogPath, UseDns,
} from './types.js';

export const SERVER_DEFAULTS = Object.freeze({
  maxRetry: 3, maxMatches: 5, findTime: 600, banTime: 600, useDns: 'warn' as UseDns, logEncoding: 'auto',
  ignoreCacheMaxCount: 100, ignoreCacheMaxTime: 300,
});
const BACKENDS = new Set(['auto', 'pyinotify', 'inotify', 'gamin', 'polling', 'systemd']);
const USEDNS = new Set<string>(['yes', 'warn', 'no', 'raw']);

export interface JailInput {
  readonly name: string;
  readonly place: Place;
  /** Interpolated option strings. */
  readonly opts: ReadonlyMap<string, string>;
  /** The same converted like fail2ban (bool/int). */
  readonly typed: ReadonlyMap<string, PyValue>;
  readonly filter: FilterDefinition | null;
  readonly filterSpec: { readonly name: string; readonly params: Readonly<Record<string, string>> } | null;
  readonly actions: readonly ActionDefinition[];
  readonly placeOf: (key: string) => Place;
  readonly diagnostics: Diagnostics;
}

export function toJailConfig(j: JailInput): JailConfig {
  const str = (k: string): string | undefined => j.opts.get(k);
  /** Empty means "not set" for the optional options, as in fail2ban's server. */
  const nonEmpty = (k: string): string | undefined => { const v = str(k); return v === undefined || v === '' ? undefined : v; };
  const duration = (k: string, dflt: number): number => { const v = str(k); return v === undefined ? dflt : parseDuration(v, j.placeOf(k)); };
  const int = (k: string, dflt: number): number => { const v = j.typed.get(k); return typeof v === 'number' ? v : dflt; };
  const bool = (k: string, dflt: boolean): boolean => { const v = j.typed.get(k); return typeof v === 'boolean' ? v : dflt; };

  const backendSpec = extractOptions(str('backend') ?? 'auto', j.placeOf('backend'));
  const backendName = backendSpec.name.trim();
  if (!BACKENDS.has(backendName) && !backendName.startsWith('systemd')) {
    throw new LogjailError('CONFIG_VALUE', `unknown backend ${JSON.stringify(backendName)}`, j.placeOf('backend'),
      'use auto, polling, pyinotify or systemd');
  }
  const systemd = backendName.startsWith('systemd');

  const banTimeIncrement: BanTimeIncrement = Object.freeze({
    enabled: bool('bantime.increment', false),
    ...opt('factor', nonEmpty('bantime.factor')),
    ...opt('formula', nonEmpty('bantime.formula')),
    multipliers: Object.freeze(multipliers(nonEmpty('bantime.multipliers'), j.placeOf('bantime.multipliers'))),
    ...opt('maxTime', mapDefined(nonEmpty('bantime.maxtime'), (v) => parseDuration(v, j.placeOf('bantime.maxtime')))),
    ...opt('rndTime', mapDefined(nonEmpty('bantime.rndtime'), (v) => parseDuration(v, j.placeOf('bantime.rndtime')))),
    overallJails: bool('bantime.overalljails', false),
  });

  const useDnsText = (j.filter?.usedns ?? str('usedns') ?? SERVER_DEFAULTS.useDns).toLowerCase();
  let useDns: UseDns = SERVER_DEFAULTS.useDns;
  if (USEDNS.has(useDnsText)) useDns = useDnsText as UseDns;
  else {
    j.diagnostics.warn('FILTER_OPTION', `usedns ${JSON.stringify(useDnsText)} is not yes, warn, no or raw; "no" is used`, j.placeOf('usedns'));
    useDns = 'no';
  }

  const ignoreCommand = nonEmpty('ignorecommand');
  const ignoreCache = parseIgnoreCache(nonEmpty('ignorecache'), j.placeOf('ignorecache'));
  const logTimezone = nonEmpty('logtimezone');
  const options: Record<string, string> = {};
  for (const [k, v] of j.opts) options[k] = v;

  return Object.freeze({
    name: j.name,
    filter: j.filter,
    filterSpec: j.filterSpec === null ? null : Object.freeze({ ...j.filterSpec }),
    backend: Object.freeze({ name: backendName, params: backendSpec.options }),
    logpaths: Object.freeze(systemd ? [] : logPaths(str('logpath') ?? '', j.placeOf('logpath'))),
    maxRetry: int('maxretry', SERVER_DEFAULTS.maxRetry),
    maxMatches: int('maxmatches', SERVER_DEFAULTS.maxMatches),
    findTime: duration('findtime', SERVER_DEFAULTS.findTime),
    banTime: duration('bantime', SERVER_DEFAULTS.banTime),
    banTimeIncrement,
    ignoreSelf: bool('ignoreself', true),
    ignoreIp: Object.freeze(splitWords(str('ignoreip') ?? '')),
    ...opt('ignoreCommand', ignoreCommand),
    ...opt('ignoreCache', ignoreCache),
    useDns,
    logEncoding: str('logencoding') ?? SERVER_DEFAULTS.logEncoding,
    ...opt('logTimezone', logTimezone),
    actions: Object.freeze([...j.actions]),
    options: Object.freeze(options),
    place: Object.freeze({ ...j.place }),
  });
}

/** One path per line; a last word "head" or "tail" (after a space) says where to start reading. */
export function logPaths(value: string, place: Place): LogPath[] {
  const out: LogPath[] = [];
  for (const line of value.split('\n')) {
    if (line.trim() === '') continue;
    const sp = line.lastIndexOf(' ');
    let pattern = line;
    let tail = false;
    if (sp >= 0) {
      pattern = line.slice(0, sp);
      const word = line.slice(sp + 1).toLowerCase();
      if (word !== 'head' && word !== 'tail') {
        throw new LogjailError('CONFIG_VALUE',
          `logpath ${JSON.stringify(line)}: the word after the last space must be "head" or "tail", got ${JSON.stringify(line.slice(sp + 1))}`,
          place, 'paths containing spaces are not supported (as in fail2ban); use a glob such as /var/log/my?file.log');
      }
      tail = word === 'tail';
    }
    out.push(Object.freeze({ pattern, tail, place }));
  }
  return out;
}

/** ignoreip and similar lists: split on spaces, commas and newlines. */
export function splitWords(s: string): string[] {
  return s.split(/[ ,\n]+/).map((w) => w.trim()).filter((w) => w !== '');
}

function multipliers(v: string | undefined, place: Place): number[] {
  if (v === undefined) return [];
  return v.split(/\s+/).filter((w) => w !== '').map((w) => {
    const n = pyInt(w);
    if (n === undefined) {
      throw new LogjailError('CONFIG_VALUE', `bantime.multipliers must be integers separated by spaces, got ${JSON.stringify(w)}`, place);
    }
    return n;
  });
}

function parseIgnoreCache(v: string | undefined, place: Place): IgnoreCache | undefined {
  if (v === undefined) return undefined;
  const { options } = extractOptions('cache[' + v + ']', place);
  if (Object.keys(options).length === 0) return undefined;
  const key = options['key'];
  if (key === undefined) {
    throw new LogjailError('CONFIG_VALUE', `ignorecache needs key=..., got ${JSON.stringify(v)}`, place,
      'write ignorecache = key="<ip>", max-count=100, max-time=5m');
  }
  const countText = options['max-count'];
  const maxCount = countText === undefined ? SERVER_DEFAULTS.ignoreCacheMaxCount : pyInt(countText);
  if (maxCount === undefined) throw new LogjailError('CONFIG_VALUE', `ignorecache max-count must be an integer, got ${JSON.stringify(countText)}`, place);
  const timeText = options['max-time'];
  const maxTime = timeText === undefined ? SERVER_DEFAULTS.ignoreCacheMaxTime : parseDuration(timeText, place);
  return Object.freeze({ key, maxCount, maxTime });
}

function mapDefined<T, U>(v: T | undefined, f: (v: T) => U): U | undefined {
  return v === undefined ? undefined : f(v);
}

/** `{k: v}` when v is defined, `{}` otherwise (exactOptionalPropertyTypes forbids undefined values). */
function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

