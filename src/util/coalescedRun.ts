/**
 * An async task that runs one at a time: a call while it runs gets that run's promise and asks
 * for one more run after it, so whatever caused the call is still seen (a file grew, a directory
 * changed), however many calls came meanwhile. Used by the file and glob sources.
 */
export class CoalescedRun {
  private running: Promise<void> | null = null;
  private again = false;

  /** `stopped`: no further runs once it says so (the owner was closed). */
  constructor(private readonly task: () => Promise<void>, private readonly stopped: () => boolean) {}

  run(): Promise<void> {
    if (this.stopped()) return Promise.resolve();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    const loop = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.task();
        } while (this.again && !this.stopped());
      } finally {
        this.running = null;
      }
    };
    this.running = loop();
    return this.running;
  }

  /** Wait for the run under way, if any (its failure is the caller's of run(), not this one's). */
  async settled(): Promise<void> {
    if (this.running !== null) await this.running.catch(() => {});
  }
}
