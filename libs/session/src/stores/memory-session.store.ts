import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { ImmediateSessionStore } from '../session-store.interface.js';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SWEEP_INTERVAL_MS,
  type MemorySessionStoreOptions,
} from './memory-session-store.options.js';
import { MemoryUserSessionIndex } from '../users/memory-user-session.index.js';
import type { IndexedSessionStore } from '../users/user-session-index.interface.js';
import { MemoryRecords } from './memory-records.js';

/**
 * The default store: sessions in this process's memory, safe for production
 * on one process.
 *
 * - Entries expire: an expired entry reads as absent, and a periodic sweep
 *   (an unreferenced timer, stopped by {@link close}) frees them.
 * - At most `maxSessions` entries are kept; the least recently used is
 *   evicted first, so memory stays bounded under any load.
 * - Changes are applied key by key ({@link patch}), so concurrent requests
 *   that change different keys of one session both win.
 * - It answers at once (an {@link ImmediateSessionStore}): loading and saving
 *   a session wait for nothing. Its promise methods call the `…Now` ones, so
 *   a subclass customises an operation by overriding its `…Now` method
 *   (`getNow`, `setNow`, `patchNow`, `touchNow`), and both paths use it.
 *
 * @example
 * ```ts
 * SessionModule.forRoot({ secret, store: new MemorySessionStore({ maxSessions: 50_000 }) });
 * ```
 */
export class MemorySessionStore implements ImmediateSessionStore, IndexedSessionStore {
  /** The sessions of each user; an entry goes with its session (destroyed, expired, evicted). */
  readonly userIndex = new MemoryUserSessionIndex();
  private readonly records: MemoryRecords;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemorySessionStoreOptions = {}) {
    const index = this.userIndex;
    this.records = new MemoryRecords(options.maxSessions ?? DEFAULT_MAX_SESSIONS, (id) =>
      index.forgetSession(id),
    );
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      // In steps: a sweep of many expired sessions never stalls the process.
      this.sweepTimer = setInterval(() => void this.sweepInSteps(), interval);
      this.sweepTimer.unref();
    }
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    return this.getNow(id);
  }

  /** @inheritdoc */
  getNow(id: string): StoredSessionRecord | undefined {
    return this.records.get(id);
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.setNow(id, record, ttlMs);
  }

  /** @inheritdoc */
  setNow(id: string, record: SessionRecord, ttlMs: number): void {
    this.records.write(id, {
      json: JSON.stringify(record.data),
      createdAt: record.createdAt,
      expiresAt: Date.now() + ttlMs,
      maxAge: record.cookie?.maxAge,
    });
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    return this.patchNow(id, patch, ttlMs);
  }

  /** @inheritdoc */
  patchNow(id: string, patch: SessionPatch, ttlMs: number): boolean {
    return this.records.patch(id, patch, Date.now() + ttlMs) !== undefined;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    this.records.remove(id);
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    this.touchNow(id, ttlMs);
  }

  /** @inheritdoc */
  touchNow(id: string, ttlMs: number): void {
    this.records.touch(id, Date.now() + ttlMs);
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    this.records.clear();
    this.userIndex.clear();
  }

  /** Live (unexpired) sessions held (counted after a stepped sweep). */
  async length(): Promise<number> {
    await this.sweepInSteps();
    return this.records.size;
  }

  /** Stops the sweep timer. The store keeps working, without the sweep. */
  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Sessions evicted so far because `maxSessions` was reached. */
  get evictedCount(): number {
    return this.records.evictedCount;
  }

  /**
   * Removes every expired entry now. When three quarters or more of the slots
   * are then free, the live sessions are packed into smaller arrays, so the
   * memory a burst of sessions took is given back once they expire.
   */
  sweep(): void {
    this.records.sweep();
    this.userIndex.sweep();
  }

  /** {@link sweep} in steps of a few thousand sessions, one per event-loop turn (what the timer runs). */
  private async sweepInSteps(): Promise<void> {
    await this.records.sweepInSteps();
    this.userIndex.sweep();
  }
}
