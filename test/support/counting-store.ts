import {
  MemorySessionStore,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredSessionRecord,
} from '@nest-hive/session';

/** Store operations the counting store tallies. */
export type StoreOperation = 'get' | 'set' | 'patch' | 'destroy' | 'touch';

/**
 * A real `MemorySessionStore` behind a counter: tests read how many calls of
 * each kind the session layer made, can delay calls, and can make them fail.
 */
export class CountingStore implements SessionStore {
  constructor(readonly inner: SessionStore = new MemorySessionStore({ sweepIntervalMs: 0 })) {}

  readonly calls: Record<StoreOperation, number> = { get: 0, set: 0, patch: 0, destroy: 0, touch: 0 };
  /** When each `set`/`patch` finished (ms since epoch), in order. */
  readonly writesCompletedAt: number[] = [];
  delayMs = 0;
  failure: Error | undefined;

  get total(): number {
    return Object.values(this.calls).reduce((sum, n) => sum + n, 0);
  }

  reset(): void {
    for (const key of Object.keys(this.calls) as StoreOperation[]) this.calls[key] = 0;
    this.writesCompletedAt.length = 0;
  }

  async get(id: string): Promise<StoredSessionRecord | undefined> {
    await this.enter('get');
    return this.inner.get(id);
  }

  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.enter('set');
    await this.inner.set(id, record, ttlMs);
    this.writesCompletedAt.push(Date.now());
  }

  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    await this.enter('patch');
    if (!this.inner.patch) throw new Error('the inner store has no patch()');
    const applied = await this.inner.patch(id, patch, ttlMs);
    this.writesCompletedAt.push(Date.now());
    return applied;
  }

  async destroy(id: string): Promise<void> {
    await this.enter('destroy');
    await this.inner.destroy(id);
  }

  async touch(id: string, ttlMs: number): Promise<void> {
    await this.enter('touch');
    await this.inner.touch(id, ttlMs);
  }

  async length(): Promise<number> {
    return (await this.inner.length?.()) ?? 0;
  }

  async clear(): Promise<void> {
    await this.inner.clear?.();
  }

  private async enter(operation: StoreOperation): Promise<void> {
    this.calls[operation]++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failure) throw this.failure;
  }
}
