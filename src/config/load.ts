/**
 * Load a whole configuration tree: fail2ban.conf and every jail (with the filter and the
 * actions of each enabled jail). This is what the daemon calls at start and on reload.
 *
 * A broken jail does not stop the others (fail2ban skips it too): its entry carries the error.
 * Problems in fail2ban.conf or a missing jail.conf throw.
 */
import * as path from 'node:path';
import { Diagnostics } from './diagnostics.js';
import { readJails } from './jailReader.js';
import { ConfigFiles } from './reader.js';
import { readServer } from './serverReader.js';
import type { LoadedConfig } from './types.js';

export function loadConfig(baseDir: string): LoadedConfig {
  return loadConfigWith(new ConfigFiles(path.resolve(baseDir), new Diagnostics()));
}

/** The same with a caller's file cache (the check command reads more files afterwards). */
export function loadConfigWith(files: ConfigFiles): LoadedConfig {
  const diagnostics = files.diagnostics;
  const server = readServer(files);
  const jails = readJails(files);
  return Object.freeze({
    baseDir: files.baseDir,
    server,
    jails: Object.freeze(jails),
    warnings: Object.freeze([...diagnostics.warnings]),
  });
}
