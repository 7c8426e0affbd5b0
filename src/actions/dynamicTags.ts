/**
 * The last step before a command runs: tags whose values change with every ban (`<ip>`,
 * `<matches>`, `<F-USER>`...) are put in, and values that could mean something to a shell
 * never reach it as code.
 *
 * A value made only of harmless characters is written into the script as it is (an address,
 * a number, a plain user name). Any other value (one with `$`, backquote, `;`, `|`, `&`,
 * quotes, brackets, `*`, `?`, `~`, `#`, `^`, `<`, `>`, a backslash or a line break) is not
 * written into the script at all: the tag becomes a variable reference `$f2bV_F_user` and the
 * value travels as a positional parameter, `sh -c 'f2bV_F_user=${1}\n<script>' logjail-action
 * VALUE`. The shell assigns parameters without interpreting them, so `$(touch /tmp/x)`,
 * `a;reboot` or a line break in a user name stay text. This is fail2ban's scheme (same variable
 * names, so templates written for it work), except that the values start at `${1}` with braces:
 * fail2ban's `$10` would read as `${1}0`.
 *
 * Single pass: a value put in is never searched for tags again. NUL characters, which no
 * process argument can hold, become U+FFFD.
 */
import type { ShellCommand } from './commandRunner.js';

/** Where dynamic values come from. */
export interface TagValues {
  /** The value of `tag`, or undefined when it is not a dynamic tag of this source. */
  value(tag: string): string | Promise<string> | undefined;
  /** Captured fields for `<F-NAME>` (an unknown field gives ""). */
  readonly fields: Readonly<Record<string, string>>;
}

const TAG_RE = /<([^ <>]+)>/g;
const FIELD_TAG_RE = /^F-([A-Z0-9_-]+)$/;
/** Characters that make a value travel as a parameter instead of script text. */
const SHELL_SPECIAL_RE = /[\\#&;`|*?~<>^()[\]{}$'"\n\r]/;
const NON_WORD_RE = /[^\p{L}\p{N}_]/gu;
/** Tags every command knows (a source may still give them another value). */
const LAYOUT_TAGS: Readonly<Record<string, string>> = { br: '\n', sp: ' ' };
/** `<F-ID>` is the field `fid`, `<F-PORT>` is `fport` (fail2ban's group names). */
const FIELD_ALIASES: Readonly<Record<string, string>> = { id: 'fid', port: 'fport' };

/** The field a `<F-NAME>` tag reads: NAME lower-cased, F-ID → fid, F-PORT → fport. */
export function fieldOfTag(name: string): string {
  const lower = name.toLowerCase();
  return FIELD_ALIASES[lower] ?? lower;
}

/** Substitute the dynamic tags of `command` (static tags already done) and build the shell command. */
export async function substituteDynamic(command: string, values: TagValues): Promise<ShellCommand> {
  if (!command.includes('<')) return { script: command, args: [] };
  // look every distinct tag up once (some are asynchronous: DNS, the store)
  const found = new Map<string, { text: string; varName: string } | null>();
  for (const m of command.matchAll(TAG_RE)) {
    const tag = m[1]!;
    if (found.has(tag)) continue;
    let raw = values.value(tag);
    let varName = tag;
    if (raw === undefined && LAYOUT_TAGS[tag] !== undefined) {
      // constants, not log data: written as they are, like fail2ban
      found.set(tag, { text: LAYOUT_TAGS[tag], varName: '' });
      continue;
    }
    if (raw === undefined) {
      const f = FIELD_TAG_RE.exec(tag);
      if (f !== null) {
        const field = fieldOfTag(f[1]!);
        raw = values.fields[field] ?? '';
        varName = 'F_' + field;
      }
    }
    found.set(tag, raw === undefined ? null : { text: clean(await raw), varName });
  }
  // parameters in fail2ban's order: the ban's tags as they come, then the <F-NAME> fields
  const vars = new Map<string, string>();
  const fieldVars = new Map<string, string>();
  const script = command.replace(TAG_RE, (whole: string, tag: string) => {
    const v = found.get(tag);
    if (v === null || v === undefined) return whole;
    if (v.varName === '' || !SHELL_SPECIAL_RE.test(v.text)) return v.text;
    const name = 'f2bV_' + v.varName.replace(NON_WORD_RE, '_');
    (v.varName === tag ? vars : fieldVars).set(name, v.text);
    return '$' + name;
  });
  for (const [k, v] of fieldVars) vars.set(k, v);
  if (vars.size === 0) return { script, args: [] };
  let assign = '';
  let i = 1;
  for (const name of vars.keys()) assign += `${name}=\${${i++}} `;
  return { script: assign + '\n' + script, args: [...vars.values()] };
}

function clean(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}
