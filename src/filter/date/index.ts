/**
 * Date detection and parsing for log lines (fail2ban's datedetector semantics).
 *
 * INTERFACE (stable; the filter engine depends on it). The implementation is in this folder.
 */
import type { LocalZone } from './localZone.js';

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
  /**
   * Server local time for dates without any zone. Default: the process's TZ, shared by all
   * detectors (see createLocalZone). Inject one in tests.
   */
  readonly localZone?: LocalZone | undefined;
  /**
   * Build every template's regexes now (default), so that a broken pattern is an error at
   * once; false: the first time a template is tried (most never are: a faster start).
   */
  readonly eager?: boolean | undefined;
  /** Wall clock in epoch seconds, only for the "template unused for 5 minutes" reordering rule. */
  readonly clock?: (() => number) | undefined;
  /**
   * Let hand-written recognizers stand in for the regexes of the usual formats, and remember the
   * last date's conversion (default true). Same results either way; false (regexes and plain
   * arithmetic only) is the reference the fast paths are tested against.
   */
  readonly fast?: boolean | undefined;
}

export interface TemplateStat {
  /** Human name as fail2ban-regex prints it, e.g. "{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day ..." */
  readonly name: string;
  hits: number;
}

/** What `fail2ban-regex --VD` shows about a template. */
export interface TemplateInfo extends TemplateStat {
  /** The pattern it was made from ('' for the built-in Epoch and TAI64N). */
  readonly pattern: string;
  /** The (Python) regex it searches with. */
  readonly regex: string;
  /** 100 for the line-anchored twins of the defaults, 1 otherwise. */
  readonly baseWeight: number;
  /** hits × baseWeight / distance of the last match: the sort key. */
  readonly weight: number;
}

/** A date found in a line: the line and the span of the date text in it. */
export interface DateCapture {
  readonly line: string;
  readonly start: number;
  readonly end: number;
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
   *
   * Call it on every line, in order: like fail2ban's, the search order adapts to the lines seen,
   * and that decides which template wins on ambiguous lines. `ascii`: pass true/false when the
   * caller already knows whether the line is pure ASCII (saves a scan; ASCII lines use faster
   * regexes with the same meaning).
   */
  find(line: string, ascii?: boolean): boolean;
  readonly start: number;
  readonly end: number;
  /**
   * Epoch seconds (fractions kept for Epoch/TAI64N) of the date found by the last successful
   * find(), with `now` (epoch seconds) used for year and day inference. null if it cannot be parsed
   * or the date text is empty. (A `line` other than the one last given to find() is searched first.)
   */
  time(line: string, now: number): number | null;
  /**
   * Set by time(): true when it returned null because fail2ban's parser *raises* on this date
   * (an unknown upper-case zone abbreviation such as "XYZ Jan 1 10:00:00", a month without a day,
   * %I with an AM/PM group that did not match, a date outside years 1..9999). fail2ban then logs
   * an error and drops the whole line, whereas after a plain null it still matches the line
   * (with the last known date or now).
   */
  readonly dropLine: boolean;
  /**
   * The date found by the last successful find() (non-empty), to be converted later with
   * timeOf() without searching again (a search changes the template order). null if none.
   * `into`: a capture this detector returned earlier that is no longer needed; it is filled
   * again instead of making a new one (a caller keeping a few recent dates reuses its slots).
   */
  capture(into?: DateCapture | null): DateCapture | null;
  /** time() of a captured date; sets dropLine like time(). */
  timeOf(c: DateCapture, now: number): number | null;
  /** Templates in their original order with hit counts (for `logjail regex` statistics). */
  readonly stats: readonly TemplateInfo[];
  /** Templates in the current search order: the order fail2ban-regex prints "Date template hits" in. */
  readonly templates: readonly TemplateInfo[];
  /** True when the pattern was {NONE}: lines never carry a date. */
  readonly none: boolean;
}

export { createDetector as createDateDetector } from './detector.js';
export { parseTimeZone, ZONE_ABBREVIATIONS } from './timezone.js';
export { createLocalZone, defaultLocalZone, fixedLocalZone, utcZone, type LocalZone } from './localZone.js';
