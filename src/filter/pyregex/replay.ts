/**
 * Python's values for groups inside repetitions that some iterations skip.
 *
 * Python keeps a group's value from the last iteration that set it; JavaScript clears the groups
 * of a repetition at each iteration, so after `(?:user=(\S+)|\w+=\S+, )*` it reports nothing when
 * the last pair was not the user. The two engines still take the same path (the translation
 * refuses back-references to such groups), so after a match the repetition is walked again:
 * starting where it started, each iteration is the first way of the body from which the rest of
 * the pattern can still succeed, exactly the choice both engines made. The groups' values (and
 * spans, with the `d` flag) are then replaced by the last ones each iteration produced.
 */
import { replaySource, type LoopToReplay } from './emit.js';

interface Replayer {
  readonly loop: LoopToReplay;
  /** Iteration regexes by remaining (min, max) count. */
  readonly cache: Map<string, { regex: RegExp; groups: readonly number[] }>;
}

/** A RegExp whose exec() reports Python's values for groups in such repetitions. */
export class PythonRegExp extends RegExp {
  private readonly replayers: readonly Replayer[];
  private readonly ascii: boolean;

  constructor(source: string, flags: string, loops: readonly LoopToReplay[], ascii: boolean) {
    super(source, flags.includes('d') ? flags : flags + 'd');
    this.replayers = loops.map((loop) => ({ loop, cache: new Map() }));
    this.ascii = ascii;
  }

  override exec(subject: string): RegExpExecArray | null {
    const m = super.exec(subject);
    if (m !== null) for (const r of this.replayers) this.replay(r, m);
    return m;
  }

  private iteration(r: Replayer, done: number): { regex: RegExp; groups: readonly number[] } {
    const minMore = Math.max(0, r.loop.min - done - 1);
    const maxMore = r.loop.max - done - 1;
    const key = `${minMore},${maxMore}`;
    let it = r.cache.get(key);
    if (it === undefined) {
      const { source, groups } = replaySource(r.loop, minMore, maxMore, this.ascii);
      it = { regex: new RegExp(source, (this.ascii ? '' : 'u') + 'yd'), groups };
      r.cache.set(key, it);
    }
    return it;
  }

  private replay(r: Replayer, m: RegExpExecArray): void {
    const span = m.indices?.[r.loop.wrapper];
    if (span === undefined) return;
    const [start, end] = span;
    const values: (string | undefined)[] = r.loop.groups.map(() => undefined);
    const spans: ([number, number] | undefined)[] = r.loop.groups.map(() => undefined);
    let pos = start;
    for (let done = 0; pos < end; done++) {
      const it = this.iteration(r, done);
      it.regex.lastIndex = pos;
      const step = it.regex.exec(m.input);
      const way = step?.[1];
      if (step === null || way === undefined || way.length === 0) return; // cannot happen; keep V8's values
      for (let k = 0; k < it.groups.length; k++) {
        const v = step[it.groups[k]!];
        if (v !== undefined) {
          values[k] = v;
          spans[k] = step.indices?.[it.groups[k]!];
        }
      }
      pos += way.length;
    }
    if (pos !== end) return;
    for (let k = 0; k < r.loop.groups.length; k++) {
      const js = r.loop.groups[k]!;
      m[js] = values[k]!;
      if (m.indices !== undefined) (m.indices as unknown as ([number, number] | undefined)[])[js] = spans[k];
    }
  }
}
