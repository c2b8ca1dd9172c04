// Writes asked for while one is on its way go together in the next: one round trip for many callers, none waiting behind more than one write.
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private writing = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** Writes a batch; answers one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    /** The most items in one write. */
    private readonly max = 1000,
    /**
     * When the first write goes: `microtask` (callers in the same turn of the event loop join it), or `turn` (after
     * the I/O callbacks of this turn too: the listeners of one change, each a few awaits in, join it).
     */
    private readonly gather: 'microtask' | 'turn' = 'microtask',
  ) {}

  /** Resolves once the write carrying `item` is done. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Callers in the same turn of the event loop join the first write.
      if (!this.writing) {
        this.writing = true;
        if (this.gather === 'turn') setImmediate(() => void this.drain());
        else queueMicrotask(() => void this.drain());
      }
    });
  }

  /** Resolves once no write is gathering or on its way (at once when none is). */
  idle(): Promise<void> {
    return this.writing ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.max);
      try {
        const results = await this.write(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.resolve(results[i] as R);
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.writing = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
