// A bounded pool for the work that follows an ack (Slack) or an interaction (Discord), so a burst cannot starve the answers themselves.

/** Thrown by run() when `maxWaiting` jobs already wait: the person is told to try again, nothing piles up. */
export class WorkQueueFull extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} jobs are already waiting`);
    this.name = 'WorkQueueFull';
  }
}

/**
 * Runs at most `concurrency` jobs at once, the rest in arrival order, and keeps at most `maxWaiting` waiting. Acks happen before a job is queued;
 * without the bound, a burst of a few hundred commands opens as many database operations at once and the
 * event loop that must answer the next request within Slack's 3 seconds spends its time on them.
 */
export class WorkQueue {
  private running = 0;
  private closed = false;
  /** Each waiting job's go-ahead: true to run, false when the queue closed before its turn. */
  private readonly waiting: Array<(go: boolean) => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** Without a bound, a stalled database turns every acked request into memory held for as long as it lasts. */
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  get pending(): number {
    return this.waiting.length + this.running;
  }

  /**
   * Runs `job` in its turn; resolves undefined, without running it, when the queue closes first. Throws
   * WorkQueueFull, without queueing it, when `maxWaiting` jobs already wait.
   */
  async run<T>(job: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new WorkQueueFull(this.waiting.length);
      const go = await new Promise<boolean>((resolve) => this.waiting.push(resolve));
      if (!go) return undefined;
    }
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.(true);
      if (this.running === 0) this.notifyIdle();
    }
  }

  /** Takes no more work; jobs still waiting for their turn are dropped. Returns how many were dropped. */
  close(): number {
    this.closed = true;
    const dropped = this.waiting.splice(0);
    for (const drop of dropped) drop(false);
    return dropped.length;
  }

  /** Resolves once no job is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
