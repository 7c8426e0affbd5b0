/**
 * The FILTER argument of `logjail regex`: a filter name with options (`sshd[mode=aggressive]`),
 * a filter file, or a regular expression (as fail2ban-regex decides between them).
 */
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FilterSpec, UseDns } from '../filter/compiledFilter.js';
import { extractOptions, readFilter, type FilterDefinition } from '../config/index.js';

export interface LoadedFilter {
  readonly spec: FilterSpec;
  /** "Use ..." header line for the report. */
  readonly description: string;
  /** usedns as the filter file sets it. */
  readonly useDns?: UseDns;
  readonly definition?: FilterDefinition;
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

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A filter name or file, if one exists for `arg`; null means "treat it as a regex". */
function loadFilterFile(arg: string, configDir: string): LoadedFilter | null {
  const { name, options } = extractOptions(arg);
  const tries = name.slice(-6).includes('.') ? [name] : [name, name + '.conf', name + '.local'];
  let found: string | null = null;
  for (const t of tries) {
    const p = t.includes('/') ? t : basename(configDir) === 'filter.d' ? join(configDir, t) : join(configDir, 'filter.d', t);
    if (isFile(p)) { found = p; break; }
  }
  if (found === null) return null;
  const inTree = !name.includes('/');
  const base = basename(configDir) === 'filter.d' ? dirname(configDir) : configDir;
  const def = readFilter(base, inTree ? name : resolve(found), options);
  const opts = Object.keys(options).length > 0 ? `\nUse   filter options : ${JSON.stringify(options)}` : '';
  const spec: FilterSpec = {
    name: def.name,
    prefregex: def.prefregex,
    failregex: def.failregex,
    ignoreregex: def.ignoreregex,
    maxlines: def.maxlines,
    datepattern: def.datepattern,
    place: { file: def.file },
  };
  const useDns = def.usedns;
  return {
    spec,
    description: (inTree ? `Use   failregex filter file : ${name}, basedir: ${base}` : `Use   failregex file : ${found}`) + opts,
    ...(useDns === 'yes' || useDns === 'no' || useDns === 'warn' || useDns === 'raw' ? { useDns } : {}),
    definition: def,
  };
}
