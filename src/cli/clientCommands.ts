/**
 * The client commands: `logjail [--socket PATH] COMMAND ...` asks the running daemon over its
 * control socket and prints the answer, for an admin (laid out like fail2ban-client's) or, with
 * --json, as one JSON document with stable keys.
 *
 * Exit status: 0 done, 1 failed, 64 bad usage, 78 bad configuration (the daemon's, e.g. on
 * reload, or the --config read for the socket path), 69 daemon not reachable.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ERRORS, EXIT, isLogjailError, LogjailError } from '../errors.js';
import { type Command, parseCommand } from '../control/command.js';
import { DaemonError, sendCommand } from '../control/client.js';
import { DEFAULT_SOCKET_PATH } from '../control/protocol.js';
import { renderResult } from '../control/render.js';

export const CLIENT_COMMANDS: readonly string[] = Object.freeze(['status', 'ban', 'unban', 'banned', 'reload', 'stop', 'get', 'set', 'ping', 'version']);

export const CLIENT_USAGE = `client commands (ask the running daemon):
  status [JAIL]                  jails, or one jail's failures and bans
  ban JAIL IP...                 ban addresses by hand
  unban IP...|--all              lift bans in every jail (--jail JAIL: in one jail)
  banned [JAIL|IP...]            banned addresses with the time their ban ends
  reload [JAIL]                  re-read the configuration (--unban lifts the bans first)
  stop                           stop the daemon
  get JAIL SETTING               a jail setting (maxretry, findtime, bantime, ignoreip, failregex, logpath, actions, ...)
  set JAIL SETTING VALUE         change a jail setting until the next reload
  ping | version
  fail2ban-client forms: set JAIL banip IP..., set JAIL unbanip [--report-absent] IP...,
  get JAIL banned [IP...], get JAIL banip [--with-time], status JAIL short
options:
  -s, --socket PATH   control socket (default: $LOGJAIL_SOCKET, the socket of --config, ${DEFAULT_SOCKET_PATH})
  -c, --config DIR    read the socket path from DIR/fail2ban.conf and .local (as the daemon does)
      --json          print the answer as JSON
      --timeout SEC   how long to wait for the answer (default 30, 300 for reload and stop; 0 for ever)
  a value that starts with "-" other than a number goes after "--": set sshd datepattern -- -%Y...
`;

/** Where the output goes (process streams, or a test's buffers). */
export interface ClientIO {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const PROCESS_IO: ClientIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

const OPTIONS = {
  socket: { type: 'string', short: 's' },
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // flags of single commands, placed back into the request below
  all: { type: 'boolean' },
  jail: { type: 'string' },
  'with-time': { type: 'boolean' },
  'report-absent': { type: 'boolean' },
  unban: { type: 'boolean' },
  'if-exists': { type: 'boolean' },
  restart: { type: 'boolean' },
} as const;

type Flag = 'all' | 'jail' | 'with-time' | 'report-absent' | 'unban' | 'if-exists' | 'restart';
const FLAGS_OF: Readonly<Record<string, readonly Flag[]>> = {
  unban: ['all', 'jail'], reload: ['all', 'unban', 'if-exists', 'restart'], get: ['with-time'], set: ['report-absent'],
};

interface Invocation {
  readonly tokens: readonly string[];
  readonly socket: string | undefined;
  readonly config: string | undefined;
  readonly json: boolean;
  readonly timeoutMs: number | undefined;
  readonly help: boolean;
}

/** Run one client command; returns the exit status. `argv` starts with the command or a global option. */
export async function clientCommand(argv: readonly string[], io: ClientIO = PROCESS_IO): Promise<number> {
  const json = argv.includes('--json');
  let inv: Invocation;
  let cmd: Command;
  try {
    inv = readArgv(argv);
    if (inv.help) {
      io.out(CLIENT_USAGE);
      return EXIT.OK;
    }
    cmd = parseCommand(inv.tokens);
  } catch (e) {
    return fail(io, json, e);
  }
  let socket: string | undefined;
  try {
    socket = await socketPath(inv, io.env);
    const timeoutMs = inv.timeoutMs ?? (cmd.kind === 'reload' || cmd.kind === 'stop' ? 300_000 : 30_000);
    const result = await sendCommand(socket, inv.tokens, { timeoutMs });
    io.out((inv.json ? JSON.stringify(result) : renderResult(cmd, result)) + '\n');
    return EXIT.OK;
  } catch (e) {
    return fail(io, inv.json, e, socket);
  }
}

/** util.parseArgs, with negative numbers (`set sshd bantime -1`) kept as arguments. */
function readArgv(argv: readonly string[]): Invocation {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const numberAt = new Set<number>();
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    else if (t.kind === 'option') {
      const raw = argv[t.index]!;
      if (/^-\d/.test(raw)) {
        // "-1h" arrives as the options -1 and -h at one index: it is one argument
        if (!numberAt.has(t.index)) positionals.push(raw);
        numberAt.add(t.index);
        continue;
      }
      const spec = (OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[t.name];
      if (spec === undefined) throw usage(`unknown option ${t.rawName}`);
      if (spec.type === 'string') {
        if (t.value === undefined) throw usage(`${t.rawName} needs a value`);
        flags.set(t.name, t.value);
      } else {
        if (t.inlineValue === true) throw usage(`${t.rawName} takes no value`);
        flags.set(t.name, true);
      }
    }
  }
  const verb = positionals[0];
  if (flags.has('help')) return { tokens: positionals, socket: undefined, config: undefined, json: false, timeoutMs: undefined, help: true };
  if (verb === undefined) throw usage('no command given');
  const allowed = FLAGS_OF[verb] ?? [];
  for (const name of flags.keys()) {
    if (!['socket', 'config', 'json', 'timeout'].includes(name) && !allowed.includes(name as Flag)) {
      throw usage(`--${name} does not go with "${verb}"`);
    }
  }
  return {
    tokens: requestTokens(verb, positionals.slice(1), flags),
    socket: str(flags.get('socket')),
    config: str(flags.get('config')),
    json: flags.get('json') === true,
    timeoutMs: timeout(str(flags.get('timeout'))),
    help: false,
  };
}

/** The request's words: the flags go where the command's form has them. */
function requestTokens(verb: string, args: readonly string[], flags: ReadonlyMap<string, string | true>): string[] {
  const has = (f: Flag): boolean => flags.has(f);
  switch (verb) {
    case 'unban': {
      const jail = str(flags.get('jail'));
      if (has('all') && args.length > 0) throw usage('unban takes addresses or --all, not both');
      return ['unban', ...(jail !== undefined ? ['--jail', jail] : []), ...(has('all') ? ['--all'] : args)];
    }
    case 'reload':
      return ['reload', ...(['restart', 'unban', 'if-exists', 'all'] as const).filter(has).map((f) => `--${f}`), ...args];
    case 'get':
      return ['get', ...args, ...(has('with-time') ? ['--with-time'] : [])];
    case 'set':
      if (has('report-absent')) {
        if (args[1] !== 'unbanip') throw usage('--report-absent goes with "set JAIL unbanip IP..."');
        return ['set', args[0]!, 'unbanip', '--report-absent', ...args.slice(2)];
      }
      return ['set', ...args];
    default:
      return [verb, ...args];
  }
}

function str(v: string | true | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function timeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = Number(v);
  if (v.trim() === '' || !Number.isFinite(s) || s < 0) throw usage(`--timeout needs seconds (0 waits for ever), got "${v}"`);
  return Math.round(s * 1000);
}

function usage(detail: string): LogjailError {
  return new LogjailError('USAGE', detail, {}, 'run "logjail help" for the commands and their options');
}

/** --socket, then LOGJAIL_SOCKET, then the socket named by --config's fail2ban.conf, then the default. */
async function socketPath(inv: Invocation, env: ClientIO['env']): Promise<string> {
  if (inv.socket !== undefined) return inv.socket;
  const fromEnv = env['LOGJAIL_SOCKET'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (inv.config !== undefined) {
    const { ConfigFiles } = await import('../config/reader.js');
    const { Diagnostics } = await import('../config/diagnostics.js');
    const { readServer } = await import('../config/serverReader.js');
    return readServer(new ConfigFiles(inv.config, new Diagnostics())).socket;
  }
  return DEFAULT_SOCKET_PATH;
}

/** The exit status an error code stands for. */
export function exitCodeOf(code: string): number {
  if (code === ERRORS.CONTROL_UNREACHABLE.code) return EXIT.UNAVAILABLE;
  if (code === ERRORS.USAGE.code || code === ERRORS.CONTROL_COMMAND.code) return EXIT.USAGE;
  if (/^LJ[1-4]\d\d$/.test(code)) return EXIT.CONFIG;
  return EXIT.FAILED;
}

function fail(io: ClientIO, json: boolean, e: unknown, socket?: string): number {
  let code: string;
  let message: string;
  let hint: string;
  if (isLogjailError(e) || e instanceof DaemonError) {
    ({ code, message, hint } = e);
  } else {
    // not expected; still no stack trace for the admin
    code = ERRORS.INTERNAL.code;
    message = `error ${code}: ${ERRORS.INTERNAL.title}: ${e instanceof Error ? e.message : String(e)}`;
    hint = ERRORS.INTERNAL.hint;
  }
  if (code === ERRORS.CONTROL_UNREACHABLE.code && socket !== undefined) hint += stockSocketHint(socket);
  io.err(`${message}\n  hint: ${hint}\n`);
  if (json) io.out(JSON.stringify({ error: { code, message, hint } }) + '\n');
  return exitCodeOf(code);
}

/** A daemon started on an unchanged /etc/fail2ban listens where fail2ban.conf says: point there. */
function stockSocketHint(tried: string): string {
  if (tried.endsWith('/fail2ban/fail2ban.sock')) return '';
  for (const p of ['/run/fail2ban/fail2ban.sock', '/var/run/fail2ban/fail2ban.sock']) {
    if (existsSync(p)) return `; a socket exists at ${p}, where an unchanged fail2ban.conf puts it: if logjail runs on /etc/fail2ban, give --config /etc/fail2ban`;
  }
  return '';
}
