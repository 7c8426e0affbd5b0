/**
 * The FILTER argument of `logjail regex`: a filter name with options (`sshd[mode=aggressive]`),
 * a filter file, or a regular expression (as fail2ban-regex decides between them).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FilterSpec } from '../filter/compiledFilter.js';

export interface LoadedFilter {
  readonly spec: FilterSpec;
  /** "Use ..." header line for the report. */
  readonly description: string;
}

/** The configuration bundled with logjail (the repository's config/ folder). */
export function defaultConfigDir(): string {
  // dist/src/cli/filterArg.js → ../../../config
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config');
}

const LOOKS_LIKE_FILTER = /^\/{0,3}[\w/_\-.]+(?:\[[\s\S]*\])?$/;

export function resolveFilterArg(arg: string, configDir: string): LoadedFilter {
  if (LOOKS_LIKE_FILTER.test(arg)) {
    const loaded = loadFilterFile(arg, configDir);
    if (loaded !== null) return loaded;
  }
  return {
    spec: { name: 'regex', failregex: [arg] },
    description: `Use   failregex line : ${arg}`,
  };
}

export function resolveIgnoreArg(arg: string, configDir: string): string[] {
  if (LOOKS_LIKE_FILTER.test(arg)) {
    const loaded = loadFilterFile(arg, configDir);
    if (loaded !== null) return [...(loaded.spec.ignoreregex ?? [])];
  }
  return [arg];
}

/** Filled in when the configuration reader lands. */
function loadFilterFile(_arg: string, _configDir: string): LoadedFilter | null {
  void join;
  return null;
}
