/**
 * Records that leave the filter stage.
 */
import type { Family } from './ip.js';

/** Data of a failure: the named groups of the match(es) plus fail2ban's bookkeeping keys. */
export interface FailData {
  /** Matched log lines (whole lines as read, dates included). */
  matches: string[];
  /** Users seen in a multi-line session (mlfid): the one user, or all of them once there are several. */
  users?: string | Set<string>;
  [group: string]: unknown;
}

export type FailureKind =
  /** id is a parsed address (or network) */
  | 'addr'
  /** id is raw text kept as is: an F-ID value, an unparsable address, or a host name in raw mode */
  | 'raw'
  /** id is a host name still to be resolved (usedns yes/warn) */
  | 'dns'
  /** no id yet: a multi-line session failure waiting for its address (checkAllRegex only) */
  | 'pending';

/** One failure found in the log: who failed, when, and on which line. */
export interface Failure {
  /** Index of the failregex that matched. */
  readonly regexIndex: number;
  /** The failure id that is counted and banned (canonical address text, network, or raw id). */
  readonly id: string;
  readonly family: Family | null;
  readonly kind: FailureKind;
  /** Epoch seconds of the line that completed the match; null when the line had no usable date. */
  readonly time: number | null;
  /** 1-based number of the last line of the match. */
  readonly lineNo: number;
  readonly data: FailData;
}
