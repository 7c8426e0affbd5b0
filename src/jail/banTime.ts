/**
 * How long a ban lasts: the jail's bantime, or with `bantime.increment` longer for addresses
 * banned before (fail2ban's formula, multipliers, factor, maxtime, rndtime), and how much a new
 * failure of such an address weighs.
 */
import type { BanTimeIncrement } from '../config/index.js';
import type { Place } from '../errors.js';
import { compileExpression, type Env } from './expression.js';

const DEFAULT_FORMULA = 'ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor';

export class BanTime {
  readonly increment: boolean;
  readonly overallJails: boolean;
  private readonly evaluate: (time: number, count: number) => number;
  private readonly maxTime: number | undefined;

  constructor(readonly banTime: number, inc: BanTimeIncrement, place: Place = {}, private readonly random: () => number = Math.random) {
    this.increment = inc.enabled;
    this.overallJails = inc.overallJails;
    this.maxTime = inc.maxTime;
    const factor = inc.factor !== undefined && inc.factor.trim() !== ''
      ? compileExpression(inc.factor, [], { ...place, key: 'bantime.factor' })({}) : 1;
    let f: (t: number, c: number) => number;
    if (inc.multipliers.length > 0) {
      const m = inc.multipliers;
      f = (t, c) => t * factor * m[c < m.length ? c : m.length - 1]!;
    } else {
      const formula = compileExpression(inc.formula ?? DEFAULT_FORMULA, ['ban.Time', 'ban.Count', 'banFactor'], { ...place, key: 'bantime.formula' });
      f = (t, c) => Math.max(t, formula({ 'ban.Time': t, 'ban.Count': c, banFactor: factor } as Env));
    }
    const maxTime = inc.maxTime;
    if (maxTime !== undefined) { const g = f; f = (t, c) => Math.min(g(t, c), maxTime); }
    const rnd = inc.rndTime;
    if (rnd !== undefined) { const g = f; f = (t, c) => g(t, c) + this.random() * rnd; }
    this.evaluate = f;
  }

  /** The ban time of an address banned `previous` times before (in this jail, or all with overalljails). */
  forBan(previous: number): number {
    if (!this.increment || this.banTime <= 0 || previous <= 0) return this.banTime;
    return this.evaluate(this.banTime, previous);
  }

  /** The longest a ban of this jail can last (caps bans restored from the database); -1: no cap. */
  get max(): number {
    return this.increment ? this.maxTime ?? -1 : this.banTime;
  }

  /** How many failures one failure of an address banned `previous` times before counts for. */
  weight(previous: number, maxRetry: number): number {
    if (!this.increment || previous <= 0) return 1;
    return Math.min(2 ** Math.min(previous, 20) / 2 + 1, maxRetry);
  }
}
