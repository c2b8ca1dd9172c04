// One read of a key at a time: callers that ask while it is under way share it (a burst asks for the same thing fifty times at once).
export class SharedReads {
  private readonly underway = new Map<string, Promise<unknown>>();

  /** `read()`'s answer for `key`: the read under way when there is one, else a new one, forgotten once it settles. */
  run<T>(key: string, read: () => Promise<T>): Promise<T> {
    const found = this.underway.get(key);
    if (found) return found as Promise<T>;
    const p = read().finally(() => {
      if (this.underway.get(key) === p) this.underway.delete(key);
    });
    this.underway.set(key, p);
    return p;
  }

  /** Forgets the reads under way: who asks next reads afresh (after a change made here). */
  clear(): void {
    this.underway.clear();
  }
}
