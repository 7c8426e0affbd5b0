/**
 * logjail command line: dispatches to the sub-commands.
 */
import { EXIT, LogjailError, isLogjailError } from '../errors.js';

const USAGE = `usage: logjail <command> [options]

commands:
  regex [options] LOG FILTER [IGNOREREGEX]   test a filter against a log file or a line
  check [--config DIR]                       validate a configuration tree
  server [--config DIR] [--socket PATH]      run the daemon in the foreground
  help                                       this text
`;

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'regex': {
        const early = (await import('./earlyWorker.js')).startEarlyWorker(rest);
        const m = await import('./regexCommand.js');
        process.exitCode = await m.regexCommand(rest, early);
        return;
      }
      case 'server': {
        const m = await import('./serverCommand.js');
        process.exitCode = await m.serverCommand(rest);
        return;
      }
      case 'check': {
        const m = await import('./checkCommand.js');
        const v = await import('../filter/spec.js');
        m.setFilterValidator((def) => v.validateFilter(def));
        process.exitCode = await m.checkCommand(rest);
        return;
      }
      // ---- client commands: ask the running daemon over its control socket (src/cli/clientCommands.ts) ----
      case 'status': case 'ban': case 'unban': case 'banned': case 'reload': case 'stop':
      case 'get': case 'set': case 'ping': case 'version':
      case '--socket': case '-s': case '--config': case '-c': case '--json': case '--timeout': {
        const m = await import('./clientCommands.js');
        process.exitCode = await m.clientCommand(argv);
        return;
      }
      // ---- end of client commands ----
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        process.stdout.write(USAGE + (await import('./clientCommands.js')).CLIENT_USAGE);
        process.exitCode = cmd === undefined ? EXIT.USAGE : EXIT.OK;
        return;
      default:
        throw new LogjailError('USAGE', `unknown command "${cmd}"`);
    }
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/** Print an error for a human (never a stack trace for known errors); return the exit code. */
export function reportError(e: unknown): number {
  if (isLogjailError(e)) {
    process.stderr.write(e.render() + '\n');
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`logjail: internal error: ${err.message}\n${err.stack ?? ''}\n`);
  return EXIT.SOFTWARE;
}
