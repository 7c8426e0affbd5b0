/**
 * The match worker of `logjail regex --out json` takes a while to start (a thread of its own,
 * its modules, the filter's regexes). Started before this thread loads its own modules and the
 * configuration, its start-up overlaps theirs; it waits for its instructions (see
 * MatchPipeline). This module imports nothing heavy on purpose.
 */
import { Worker } from 'node:worker_threads';

/** Start the worker now if the arguments ask for JSON with more than one thread. */
export function startEarlyWorker(argv: readonly string[]): Worker | null {
  let json = false;
  let threads = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if ((a === '-o' || a === '--out') && argv[i + 1] === 'json') json = true;
    else if (a === '--out=json' || a === '-ojson') json = true;
    else if (a === '--threads' && argv[i + 1] !== undefined) threads = Number(argv[i + 1]);
    else if (a.startsWith('--threads=')) threads = Number(a.slice(10));
    else if (a === '-h' || a === '--help') return null;
  }
  if (!json || !(threads > 1)) return null;
  if (process.env['LOGJAIL_DEBUG_TIMES']) process.env['LOGJAIL_DEBUG_T0'] = String(performance.timeOrigin);
  const w = new Worker(new URL('./matchWorker.js', import.meta.url));
  // until it is adopted, it must not keep the process alive on its own
  w.unref();
  return w;
}
