// A Map that forgets: at most `max` entries (the oldest go first), each kept at most `ttlMs`.
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K, now = Date.now()): boolean {
    return this.get(key, now) !== undefined;
  }

  set(key: K, value: V, now = Date.now()): this {
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.ttlMs });
    // Every entry lives equally long and a set moves its key to the end, so the expired ones are in front.
    for (const [k, e] of this.entries) {
      if (e.until > now && this.entries.size <= this.max) break;
      this.entries.delete(k);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** The value, removed: for things good for one use. */
  take(key: K, now = Date.now()): V | undefined {
    const v = this.get(key, now);
    this.entries.delete(key);
    return v;
  }
}
