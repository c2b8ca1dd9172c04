// A bounded pool for the work that follows an ack, so a burst of requests cannot starve the acks themselves.

/**
 * Runs at most `concurrency` jobs at once, the rest in arrival order. Acks happen before a job is queued;
 * without the bound, a burst of a few hundred commands opens as many database operations at once and the
 * event loop that must answer the next request within Slack's 3 seconds spends its time on them.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  get pending(): number {
    return this.waiting.length + this.running;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
