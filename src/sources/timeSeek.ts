/**
 * Where to start in a big log the first time it is read: fail2ban does not read a whole log
 * whose old lines cannot matter (older than findtime) but binary-searches the first line dated
 * at or after `since`. Start-up on a large unrotated log then costs a few reads instead of
 * minutes. Lines without a date are stepped over (a few per probe); the search errs towards
 * starting early, never late: the jail ignores lines that are too old anyway.
 */
const LF = 10;
/** Smaller files are simply read. */
export const SEEK_MIN_SIZE = 1 << 20;
const PROBE = 16 * 1024;
const LINES_PER_PROBE = 8;

export interface TimeSeek {
  /** Seconds since the epoch: lines older than this are of no interest. */
  readonly since: number;
  /** The time of a line (seconds), or null when it has none. */
  readonly dateOf: (line: string) => number | null;
}

export interface Searchable {
  readonly size: number;
  bytesAt(pos: number, len: number): Promise<Buffer>;
}

/** A line start at or before the first line dated `since` or later. */
export async function seekToTime(file: Searchable, seek: TimeSeek): Promise<number> {
  let lo = 0;
  let hi = file.size;
  if (hi < SEEK_MIN_SIZE) return 0;
  while (hi - lo > PROBE) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const probe = await datedLineAfter(file, mid, hi);
    if (probe === null) {
      // no dated line between mid and hi: the answer is at or before mid
      hi = mid;
      continue;
    }
    if (probe.time < seek.since) lo = probe.start;
    else hi = mid;
  }
  // lo is 0 or the start of a line dated before `since`
  return lo;

  async function datedLineAfter(f: Searchable, from: number, limit: number): Promise<{ start: number; time: number } | null> {
    const buf = await f.bytesAt(from, Math.min(PROBE, limit - from));
    let nl = buf.indexOf(LF);
    for (let n = 0; n < LINES_PER_PROBE && nl !== -1; n++) {
      const next = buf.indexOf(LF, nl + 1);
      if (next === -1) break;
      const t = seek.dateOf(buf.toString('utf8', nl + 1, next));
      if (t !== null) return { start: from + nl + 1, time: t };
      nl = next;
    }
    return null;
  }
}
