/**
 * A map that keeps at most `limit` entries, dropping the oldest first: for
 * memos of values a returning client sends again and again.
 */
export class RecentValues<V> {
  private readonly entries = new Map<string, V>();

  /** @param limit - the most entries kept. */
  constructor(private readonly limit: number) {}

  /** The value remembered for `key`, if any. */
  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Remembers `value` for `key`, dropping the oldest entry when full. */
  set(key: string, value: V): void {
    const entries = this.entries;
    if (entries.size >= this.limit) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, value);
  }
}
