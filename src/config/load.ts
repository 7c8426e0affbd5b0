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
  const diagnostics = new Diagnostics();
  const files = new ConfigFiles(path.resolve(baseDir), diagnostics);
  const server = readServer(files);
  const jails = readJails(files);
  return Object.freeze({
    baseDir: files.baseDir,
    server,
    jails: Object.freeze(jails),
    warnings: Object.freeze([...diagnostics.warnings]),
  });
}
