/** A minimal date detector for engine tests: syslog dates at line start, year 2005, UTC. */
import type { DateCapture, DateDetector, TemplateInfo } from '../../src/filter/date/index.js';

const MON: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const RE = /^(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d)/;

export class FakeDates implements DateDetector {
  start = 0;
  end = 0;
  finds = 0;
  readonly stats: (TemplateInfo & { hits: number })[] = [{ name: 'syslog', hits: 0, pattern: '', regex: '', baseWeight: 1, weight: 1 }];
  get templates(): readonly TemplateInfo[] { return this.stats; }
  readonly dropLine = false;
  readonly none = false;
  private m: RegExpExecArray | null = null;
  find(line: string): boolean {
    this.finds++;
    this.m = RE.exec(line);
    if (this.m === null) return false;
    this.start = 0;
    this.end = this.m[0].length;
    this.stats[0]!.hits++;
    return true;
  }
  time(_line: string, _now: number): number | null {
    return FakeDates.toTime(this.m!);
  }
  capture(): DateCapture | null {
    return this.m === null ? null : { line: this.m.input, start: 0, end: this.m[0].length, m: this.m } as DateCapture;
  }
  timeOf(c: DateCapture, _now: number): number | null {
    return FakeDates.toTime((c as unknown as { m: RegExpExecArray }).m);
  }
  private static toTime(m: RegExpExecArray): number {
    return Date.UTC(2005, MON[m[1]!]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) / 1000;
  }
}
