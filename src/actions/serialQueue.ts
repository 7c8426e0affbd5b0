/**
 * A first-in first-out queue of asynchronous jobs run one at a time. Used twice: every action
 * queues its own operations (so a ban and a later unban of the same address reach the firewall
 * in that order), and all shell commands of all actions go through one shared queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Run `job` after every job queued before it has settled; its result or rejection is returned. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(job);
    this.tail = result.then(() => this.waiting--, () => this.waiting--);
    return result;
  }

  /** Jobs queued or running. */
  get length(): number {
    return this.waiting;
  }

  /** Resolves once every job queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
