/**
 * `logjail server [--config DIR] [--socket PATH] [--db PATH] [--logtarget T] [--loglevel L]`:
 * run the daemon in the foreground (systemd runs it as a simple service).
 * SIGTERM / SIGINT: orderly shutdown; SIGHUP: reload the configuration; SIGUSR1: reopen the log file.
 */
import { parseArgs } from 'node:util';
import { EXIT, LogjailError } from '../errors.js';
import { Daemon } from '../server/daemon.js';
import { defaultConfigDir } from './filterArg.js';

const HELP = `usage: logjail server [options]

Run the daemon in the foreground.

options:
  -c, --config DIR     configuration directory (default: logjail's bundled one; /etc/fail2ban works)
  -s, --socket PATH    control socket (default: socket in fail2ban.conf)
      --db PATH        database file, :memory: or None (default: dbfile in fail2ban.conf)
      --logtarget T    STDOUT, STDERR, SYSLOG or a file (default: logtarget in fail2ban.conf)
      --loglevel L     CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG
  -p, --pidfile PATH
  -h, --help
`;

export async function serverCommand(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        socket: { type: 'string', short: 's' },
        db: { type: 'string' },
        logtarget: { type: 'string' },
        loglevel: { type: 'string' },
        pidfile: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new LogjailError('USAGE', (e as Error).message, {}, 'run "logjail server --help"');
  }
  if (o.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  const daemon = await Daemon.start({
    configDir: o.config ?? defaultConfigDir(),
    socket: o.socket, dbfile: o.db, logtarget: o.logtarget, loglevel: o.loglevel, pidfile: o.pidfile,
  });
  const control = await startControl(daemon);
  let reloading = Promise.resolve();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void daemon.stop().then(() => resolve());
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.on('SIGHUP', () => {
      reloading = reloading.then(() => daemon.reload(null)).catch((e: unknown) => daemon.log.error(`reload failed: ${(e as Error).message}`));
    });
    process.on('SIGUSR1', () => daemon.log.reopen());
    // `logjail stop` through the socket ends here too
    daemon.onStopped = resolve;
  });
  // last: the socket (a client waiting for the answer to "stop" got it already)
  await control.close();
  process.removeAllListeners('SIGHUP');
  process.removeAllListeners('SIGUSR1');
  return EXIT.OK;
}

interface Closable {
  close(): Promise<void>;
}

/** The control socket. */
async function startControl(daemon: Daemon): Promise<Closable> {
  const m = await import('../control/server.js');
  return await m.ControlServer.start(daemon.socketPath, daemon, daemon.log);
}
