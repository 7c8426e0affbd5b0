/**
 * Layered reading of a configuration name (`jail`, `fail2ban`, `filter.d/sshd`, ...) the way
 * fail2ban does it.
 *
 * Files, in order (only those that exist): NAME.conf, NAME.d/*.conf (sorted), NAME.local,
 * NAME.d/*.local (sorted). Each file is expanded by its own [INCLUDES]: the `before` files, the
 * file, then the `after` files (one per line, relative to the including file, recursively; a file
 * already being included further up is skipped). Every file of such a list is followed by its own
 * .local twin when that exists, so `before = common.conf` also pulls common.local.
 *
 * Merging: [DEFAULT] options accumulate, sections merge option by option, later files win.
 * Before an option of an existing section is replaced, its old value is kept in the hidden
 * section "KNOWN/<section>" (for `%(known/opt)s`). A section header `[Init?family=inet6]` merges
 * into [Init] with every key suffixed "?family=inet6".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogjailError, type Place } from '../errors.js';
import { DEFAULT_SECTION, parseIni, type IniFile, type IniValue } from './ini.js';
import { interpolate, KNOWN_PREFIX, type ConfigView, type Vars } from './interpolate.js';
import type { Diagnostics } from './diagnostics.js';

export const INCLUDES_SECTION = 'INCLUDES';
const CONDITIONAL_RE = /^([\p{L}\p{N}_]+)(\?.+)$/u;
const MAX_INCLUDE_DEPTH = 32;

/** The merged result of reading one configuration name. Mutable only while it is being loaded. */
export class LayeredConfig implements ConfigView {
  readonly defaults = new Map<string, IniValue>();
  readonly sections = new Map<string, Map<string, IniValue>>();
  /** Files merged, in order (a file may appear twice when included twice). */
  readonly files: string[] = [];
  /** The files asked for (NAME.conf, NAME.d/*.conf, NAME.local, ...), before includes. */
  readonly roots: string[] = [];
  /** Where each section was first opened. */
  readonly sectionPlaces = new Map<string, Place>();

  constructor(readonly name: string) {}

  /** Section names in order of first appearance, without the hidden KNOWN/ ones. */
  sectionNames(): string[] {
    const out: string[] = [];
    for (const n of this.sections.keys()) if (!n.startsWith(KNOWN_PREFIX)) out.push(n);
    return out;
  }

  hasSection(section: string): boolean {
    return this.sections.has(section);
  }

  /** Whether the option exists in the section itself (withDefault: or in [DEFAULT]). */
  has(section: string, key: string, withDefault = true): boolean {
    const k = key.toLowerCase();
    return this.sections.get(section)?.has(k) === true || (withDefault && this.defaults.has(k));
  }

  /** The section's own option names (not those inherited from [DEFAULT]). */
  ownKeys(section: string): string[] {
    return [...(this.sections.get(section)?.keys() ?? [])];
  }

  /**
   * The raw entry found for a key: vars are not consulted. Keys are lower-case, except the
   * suffix of a conditional key, which is kept as written ("x?family=INET6"): such a key is
   * found by its exact name.
   */
  entry(section: string, key: string): IniValue | undefined {
    const k = key.toLowerCase();
    if (section !== DEFAULT_SECTION) {
      const s = this.sections.get(section);
      const own = s?.get(k) ?? (k !== key ? s?.get(key) : undefined);
      if (own !== undefined) return own;
    }
    return this.defaults.get(k);
  }

  /**
   * Interpolated value of `key` in `section` (lookup: vars, section, [DEFAULT]), or undefined
   * when the option or the section does not exist.
   */
  get(section: string, key: string, vars?: Vars): string | undefined {
    const k = key.toLowerCase();
    if (section !== DEFAULT_SECTION && !this.sections.has(section)) return undefined;
    const fromVars = vars?.get(k);
    if (fromVars !== undefined) return interpolate(this, section, k, fromVars, vars);
    const e = this.entry(section, key);
    if (e === undefined) return undefined;
    return interpolate(this, section, k, e.value, vars, placeOf(e));
  }

  /** Add options to [DEFAULT] (values that come from no file, e.g. fail2ban_version). */
  mergeDefaults(values: ReadonlyMap<string, string>): void {
    for (const [k, v] of values) this.defaults.set(k, { value: v, file: '', line: 0, lines: [0] });
  }

  /** Add options to a section under a prefix (fail2ban stores a filter's options as "known/..."). */
  mergePrefixed(section: string, values: ReadonlyMap<string, string>, prefix: string, from: Place): void {
    let s = this.sections.get(section);
    if (s === undefined) { s = new Map(); this.sections.set(section, s); }
    for (const [k, v] of values) {
      if (k.startsWith(prefix) || k === '__name__') continue;
      s.set(prefix + k, { value: v, file: from.file ?? '', line: from.line ?? 0, lines: [from.line ?? 0] });
    }
  }

  /** Merge one parsed file (see the module comment for the rules). */
  mergeFile(ini: IniFile): void {
    this.files.push(ini.file);
    for (const [k, v] of ini.defaults) this.defaults.set(k, v);
    for (const [rawName, opts] of ini.sections) {
      let name = rawName;
      let incoming: ReadonlyMap<string, IniValue> = opts;
      const cond = CONDITIONAL_RE.exec(rawName);
      if (cond !== null) {
        name = cond[1]!;
        const suffix = cond[2]!;
        incoming = new Map([...opts].map(([k, v]) => [k + suffix, v]));
      }
      if (!this.sectionPlaces.has(name)) {
        const line = ini.sectionLines.get(rawName);
        this.sectionPlaces.set(name, line === undefined ? { file: ini.file, section: name } : { file: ini.file, line, section: name });
      }
      const existing = this.sections.get(name);
      if (existing === undefined) {
        this.sections.set(name, new Map(incoming));
        continue;
      }
      let known = this.sections.get(KNOWN_PREFIX + name);
      if (known === undefined) { known = new Map(); this.sections.set(KNOWN_PREFIX + name, known); }
      for (const k of incoming.keys()) {
        const old = existing.get(k);
        if (old !== undefined) known.set(k, old);
      }
      for (const [k, v] of incoming) existing.set(k, v);
    }
  }
}

export function placeOf(v: IniValue): Place {
  return v.line > 0 ? { file: v.file, line: v.line } : {};
}

/**
 * Reads and caches files for one load of a configuration tree (daemon start, reload, check):
 * common.conf is parsed once however many filters include it.
 */
export class ConfigFiles {
  private readonly parsed = new Map<string, IniFile | null>();
  private readonly layers = new Map<string, LayeredConfig | null>();

  constructor(readonly baseDir: string, readonly diagnostics: Diagnostics) {}

  /** Parse one file; null when it does not exist (or is not a regular file). */
  parse(file: string): IniFile | null {
    const hit = this.parsed.get(file);
    if (hit !== undefined) return hit;
    let ini: IniFile | null = null;
    if (isFile(file)) ini = parseIni(readText(file), file);
    this.parsed.set(file, ini);
    return ini;
  }

  /**
   * Layered read of NAME under the base directory (NAME may be absolute, or "./x" relative to
   * the working directory). Null when none of the files exists. The result is shared: callers
   * must not modify it (use `fresh` for a private copy).
   */
  layered(name: string, fresh = false): LayeredConfig | null {
    if (!fresh) {
      const hit = this.layers.get(name);
      if (hit !== undefined) return hit;
    }
    const base = name.startsWith('./') ? path.resolve(name) : joinPath(this.baseDir, name);
    const candidates = [base + '.conf', ...listDir(base + '.d', '.conf'), base + '.local', ...listDir(base + '.d', '.local')];
    const existing = candidates.filter(isFile);
    const cfg = existing.length === 0 ? null : this.merge(name, existing);
    if (!fresh) this.layers.set(name, cfg);
    return cfg;
  }

  /** One explicit file with its includes and .local twin (a filter given as a path). */
  explicit(file: string): LayeredConfig | null {
    const abs = path.resolve(file);
    if (!isFile(abs)) return null;
    return this.merge(abs, [abs]);
  }

  private merge(name: string, files: string[]): LayeredConfig {
    const cfg = new LayeredConfig(name);
    cfg.roots.push(...files);
    for (const f of this.withIncludes(files, [], 0)) {
      const ini = this.parse(f);
      if (ini !== null) cfg.mergeFile(ini);
    }
    return cfg;
  }

  private withIncludes(files: readonly string[], seen: readonly string[], depth: number): string[] {
    const out: string[] = [];
    for (const f of withLocals(files)) out.push(...this.includesOf(f, seen, depth));
    return out;
  }

  private includesOf(file: string, seen: readonly string[], depth: number): string[] {
    const ini = this.parse(file);
    if (ini === null) return [];
    const inc = ini.sections.get(INCLUDES_SECTION);
    if (inc === undefined) return [file];
    const before: string[] = [];
    const after: string[] = [];
    for (const [key, list] of [['before', before], ['after', after]] as const) {
      const entry = inc.get(key) ?? ini.defaults.get(key);
      if (entry === undefined) continue;
      const single = { defaults: ini.defaults, sections: ini.sections };
      const value = interpolate(single, INCLUDES_SECTION, key, entry.value, undefined, placeOf(entry));
      for (const item of value.split('\n')) {
        if (item === '') continue;
        const target = joinPath(path.dirname(file), item);
        if (seen.includes(target)) continue;
        const place: Place = { file, line: entry.line, section: INCLUDES_SECTION, key };
        if (depth >= MAX_INCLUDE_DEPTH) {
          throw new LogjailError('CONFIG_INCLUDE', `includes nest more than ${MAX_INCLUDE_DEPTH} levels deep at "${item}"`,
            place, 'an included file must not include, directly or indirectly, a file that includes it');
        }
        // A missing .local is normal (it is an optional override); any other missing file is
        // skipped like fail2ban does, but it is probably a typo.
        if (!target.endsWith('.local') && !isFile(target)) {
          this.diagnostics.warn('CONFIG_INCLUDE', `"${item}" (${target}) does not exist and is skipped`, place);
        }
        list.push(...this.withIncludes([target], [...seen, file], depth + 1));
      }
    }
    return [...before, file, ...after];
  }
}

/** Each file followed by its .local twin, unless that is already in the list. */
function withLocals(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    out.push(f);
    const ext = path.extname(f);
    const local = (ext === '' ? f : f.slice(0, -ext.length)) + '.local';
    if (!files.includes(local) && isFile(local)) out.push(local);
  }
  return out;
}

/** os.path.join semantics: an absolute second part replaces the first. */
export function joinPath(dir: string, name: string): string {
  return path.isAbsolute(name) ? path.normalize(name) : path.join(dir, name);
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Files DIR/*EXT (no hidden files, as a shell glob), sorted. */
function listDir(dir: string, ext: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(ext) && !n.startsWith('.')).sort().map((n) => path.join(dir, n));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function readText(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new LogjailError('CONFIG_READ', `cannot read ${file}: ${code}`, { file });
  }
  try {
    return UTF8.decode(buf);
  } catch {
    throw new LogjailError('CONFIG_READ', `${file} is not valid UTF-8 text`, { file },
      'configuration files are read as UTF-8; convert the file (iconv -t UTF-8)');
  }
}
