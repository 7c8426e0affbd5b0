/**
 * Template definitions → JS regexes (through the Python→JS translator) plus the capture numbers
 * the detector and the converter need. Compiled once per definition and shared.
 */
import { LogjailError, isLogjailError } from '../../errors.js';
import { translate } from '../pyregex/index.js';
import { TemplateKind, type TemplateDef } from './template.js';

/** Fields a date directive can set, in the order the converter handles them. */
export const enum Field { y, Y, m, B, b, d, H, I, M, S, A, a, w, j, U, W, z, Z }

const FIELD_OF_GROUP: ReadonlyMap<string, Field> = new Map([
  ['y', Field.y], ['Y', Field.Y], ['m', Field.m], ['B', Field.B], ['b', Field.b], ['d', Field.d],
  ['H', Field.H], ['I', Field.I], ['M', Field.M], ['S', Field.S], ['A', Field.A], ['a', Field.a],
  ['w', Field.w], ['j', Field.j], ['U', Field.U], ['W', Field.W], ['z', Field.z], ['Z', Field.Z],
]);

export interface FieldGroup {
  readonly field: Field;
  /** JS capture numbers of the Python group (the first that participated wins). */
  readonly captures: readonly number[];
}

/** One translation of a template (for ASCII-only lines, or for any line). */
export interface CompiledVariant {
  /** Search regex ('g' flag: searched from lastIndex). */
  readonly search: RegExp;
  /** Sticky regex with indices, to find group 1's span; null when group 1 ends the match. */
  readonly spans: RegExp | null;
  /** JS captures of Python group 1 (the date text that is cut out of the line). */
  readonly group1: readonly number[];
  /** JS captures of the epoch / TAI64N value group. */
  readonly value: readonly number[];
  /** Date fields in Python group order (the order fail2ban's dict iterates them). */
  readonly fields: readonly FieldGroup[];
  /** JS captures of the AM/PM group, null when the pattern has none. */
  readonly ampm: readonly number[] | null;
}

/**
 * Python's \d \w \s \b are Unicode-aware; their exact JS forms are large classes that make every
 * search slow. On a line that is pure ASCII the plain JS classes mean the same, so each template is
 * translated twice and the detector picks by line.
 */
export interface CompiledTemplate {
  readonly ascii: CompiledVariant;
  /** Translated on first use: most logs never need it, and it takes long to build. */
  readonly unicode: CompiledVariant;
}

class Compiled implements CompiledTemplate {
  private full: CompiledVariant | undefined;
  constructor(private readonly def: TemplateDef, private readonly context: string, readonly ascii: CompiledVariant) {}
  get unicode(): CompiledVariant {
    if (this.full === undefined) {
      try {
        this.full = compileVariant(this.def, this.context, true);
      } catch {
        // The ASCII translation of the same pattern succeeded when the detector was made; should
        // the Unicode one ever be refused, the ASCII one is the closest meaning we have.
        this.full = this.ascii;
      }
    }
    return this.full;
  }
}

const compiled = new WeakMap<TemplateDef, CompiledTemplate>();

/** A leading "(?iu)"-style group; i and u are applied as flags, others left to the translator. */
const LEADING_FLAGS = /^\(\?([a-z]+)\)/;

/**
 * Named captures of a JS regex source, numbered (a scan of its parentheses). Used only while the
 * translator does not report group numbers itself; its output then keeps Python's numbering.
 */
function jsNamedCaptures(source: string): { names: string[]; named: Map<string, number[]> } {
  const names: string[] = [];
  const named = new Map<string, number[]>();
  let n = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c !== '(') continue;
    if (source[i + 1] !== '?') { n++; continue; }
    const m = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(source.slice(i, i + 100));
    if (m !== null) {
      n++;
      names.push(m[1]!);
      named.set(m[1]!, [...(named.get(m[1]!) ?? []), n]);
    }
  }
  return { names, named };
}

function jsGroupCount(re: RegExp): number {
  return new RegExp(re.source + '|', re.flags.replace(/[gyd]/g, '')).exec('')!.length - 1;
}

export function compileTemplate(def: TemplateDef, context: string): CompiledTemplate {
  const known = compiled.get(def);
  if (known !== undefined) return known;
  const result = new Compiled(def, context, compileVariant(def, context, false));
  compiled.set(def, result);
  return result;
}

function compileVariant(def: TemplateDef, context: string, unicode: boolean): CompiledVariant {
  let source = def.source;
  let ignoreCase = false;
  const lead = LEADING_FLAGS.exec(source);
  if (lead !== null && /^[iu]+$/.test(lead[1]!)) {
    // Python str patterns are Unicode already; only case folding changes anything.
    ignoreCase = lead[1]!.includes('i');
    source = source.slice(lead[0].length);
  }
  let cp;
  try {
    cp = translate(source, { ignoreCase, unicode, context: `${context}, date template "${def.name}"` });
  } catch (e) {
    const detail = isLogjailError(e) ? e.detail : String(e);
    const what = def.pattern !== null ? `datepattern "${def.pattern}"` : `date template "${def.name}"`;
    throw new LogjailError('DATE_PATTERN', `${context}: ${what} does not compile (regex ${def.regex}): ${detail}`);
  }
  const flags = cp.regex.flags.replace(/[gyd]/g, '');
  const search = new RegExp(cp.regex.source, flags + 'g');
  // A translator that reports no group numbers keeps Python's numbering (its placeholder did).
  const groups = cp.numbered.length <= 1 ? jsGroupCount(search) : 0;
  const numbered = (n: number): readonly number[] | undefined =>
    cp.numbered[n] ?? (cp.numbered.length <= 1 && n <= groups ? [n] : undefined);
  const group1 = numbered(1);
  if (group1 === undefined) {
    throw new LogjailError('DATE_PATTERN',
      `${context}: datepattern "${def.pattern ?? def.name}" has no group 1 to cut out (regex ${def.regex})`);
  }
  const value = def.kind === TemplateKind.Pattern ? [] : numbered(def.valueGroup) ?? [];
  const fields: FieldGroup[] = [];
  let ampm: readonly number[] | null = null;
  if (def.kind === TemplateKind.Pattern) {
    const groupNames = cp.numbered.length <= 1 ? jsNamedCaptures(cp.regex.source) : cp;
    for (const name of groupNames.names) {
      const captures = groupNames.named.get(name) ?? [];
      const field = FIELD_OF_GROUP.get(name);
      if (field !== undefined) fields.push({ field, captures });
      else if (name === 'p') ampm = captures;
    }
  }
  const spans = def.groupEndsMatch ? null : new RegExp(cp.regex.source, flags + 'dy');
  return { search, spans, group1, value, fields, ampm };
}
