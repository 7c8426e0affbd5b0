/**
 * Date detection and parsing for log lines (fail2ban's datedetector semantics).
 *
 * INTERFACE (stable; the filter engine depends on it). The implementation is in this folder.
 */

export interface DateDetectorOptions {
  /**
   * The `datepattern` value as configured (one pattern per line; may be empty/undefined for the
   * default templates). Already free of config interpolation (%% → %).
   */
  readonly pattern?: string | undefined;
  /** `logtimezone` / `--timezone`: zone for dates without an explicit offset. Default: local time. */
  readonly timezone?: string | undefined;
  /** Name used in error messages. */
  readonly context?: string;
}

export interface TemplateStat {
  /** Human name as fail2ban-regex prints it, e.g. "{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day ..." */
  readonly name: string;
  hits: number;
}

/**
 * Finds the date in a line and turns it into epoch seconds.
 * Stateful like fail2ban's: the last template that matched is tried first.
 */
export interface DateDetector {
  /**
   * Look for a date in `line`. Returns false when no template matches. When true, `start`/`end`
   * hold the span of the date text (fail2ban's group 1) which the filter cuts out of the line;
   * start === end means a template matched an empty date (e.g. {NONE}).
   */
  find(line: string): boolean;
  readonly start: number;
  readonly end: number;
  /**
   * Epoch seconds (fractions kept for Epoch/TAI64N) of the date found by the last successful
   * find(), with `now` (epoch seconds) used for year and day inference. null if it cannot be parsed.
   */
  time(line: string, now: number): number | null;
  /** Templates in their original order with hit counts (for `logjail regex` statistics). */
  readonly stats: readonly TemplateStat[];
  /** True when the pattern was {NONE}: lines never carry a date. */
  readonly none: boolean;
}
