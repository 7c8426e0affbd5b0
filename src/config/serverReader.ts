/**
 * fail2ban.conf, fail2ban.d/*.conf, fail2ban.local, ... → ServerConfig: logging, socket, pid
 * file, database. The options are read from [Definition] (stock files put them in [DEFAULT],
 * which [Definition] inherits). Absent options take fail2ban's defaults.
 */
import { LogjailError } from '../errors.js';
import { pyInt } from './definition.js';
import { parseDuration } from './duration.js';
import { type ConfigFiles, placeOf } from './reader.js';
import type { ServerConfig } from './types.js';

const DEFINITION = 'Definition';
const DEFAULTS = Object.freeze({
  loglevel: 'INFO', logtarget: 'STDERR', syslogsocket: 'auto', socket: '/var/run/fail2ban/fail2ban.sock',
  pidfile: '/var/run/fail2ban/fail2ban.pid', allowipv6: 'auto', dbfile: '/var/lib/fail2ban/fail2ban.sqlite3',
  dbpurgeage: '1d', dbmaxmatches: 10,
});
const LOG_LEVELS = new Set(['CRITICAL', 'FATAL', 'ERROR', 'WARNING', 'WARN', 'NOTICE', 'INFO', 'MSG', 'DEBUG',
  'TRACEDEBUG', 'HEAVYDEBUG', 'NOTSET']);

export function readServer(files: ConfigFiles): ServerConfig {
  const cfg = files.layered('fail2ban');
  const get = (key: keyof typeof DEFAULTS): string | undefined => (cfg?.hasSection(DEFINITION) ? cfg.get(DEFINITION, key) : undefined);
  const place = (key: string) => {
    const e = cfg?.entry(DEFINITION, key);
    return { ...(e !== undefined ? placeOf(e) : {}), section: DEFINITION, key };
  };
  const text = (key: Exclude<keyof typeof DEFAULTS, 'dbmaxmatches'>): string => get(key) ?? DEFAULTS[key];

  const loglevel = text('loglevel');
  if (!/^\d+$/.test(loglevel) && !LOG_LEVELS.has(loglevel.toUpperCase())) {
    throw new LogjailError('CONFIG_VALUE', `loglevel ${JSON.stringify(loglevel)} is not a log level`, place('loglevel'),
      'use CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG, TRACEDEBUG, HEAVYDEBUG or a number');
  }
  const maxText = get('dbmaxmatches');
  const dbmaxmatches = maxText === undefined ? DEFAULTS.dbmaxmatches : pyInt(maxText);
  if (dbmaxmatches === undefined) {
    throw new LogjailError('CONFIG_VALUE', `dbmaxmatches must be an integer, got ${JSON.stringify(maxText)}`, place('dbmaxmatches'));
  }
  let stacksize: number | undefined;
  const stackText = cfg?.hasSection('Thread') ? cfg.get('Thread', 'stacksize') : undefined;
  if (stackText !== undefined) {
    stacksize = pyInt(stackText);
    if (stacksize === undefined) {
      throw new LogjailError('CONFIG_VALUE', `stacksize must be an integer (KiB), got ${JSON.stringify(stackText)}`,
        { ...place('stacksize'), section: 'Thread' });
    }
  }
  return Object.freeze({
    loglevel,
    logtarget: text('logtarget'),
    syslogsocket: text('syslogsocket'),
    socket: text('socket'),
    pidfile: text('pidfile'),
    allowipv6: text('allowipv6'),
    dbfile: text('dbfile'),
    dbpurgeage: parseDuration(text('dbpurgeage'), place('dbpurgeage')),
    dbmaxmatches,
    ...(stacksize !== undefined ? { stacksize } : {}),
    files: Object.freeze([...(cfg?.files ?? [])]),
  });
}
