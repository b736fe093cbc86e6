import type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredSessionRecord,
} from '../session-record.interface.js';
import type { ImmediateSessionStore } from '../session-store.interface.js';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SWEEP_INTERVAL_MS,
  type MemorySessionStoreOptions,
} from './memory-session-store.options.js';
import { MemoryUserSessionIndex } from '../users/memory-user-session.index.js';
import type { IndexedSessionStore } from '../users/user-session-index.interface.js';
import { MemorySlots, NO_SLOT } from './memory-slots.js';

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
  private readonly slots: MemorySlots;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemorySessionStoreOptions = {}) {
    const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isInteger(maxSessions) || maxSessions < 1) {
      throw new RangeError('MemorySessionStore option `maxSessions` must be a positive integer.');
    }
    const index = this.userIndex;
    this.slots = new MemorySlots(maxSessions, (id) => index.forgetSession(id));
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), interval);
      this.sweepTimer.unref();
    }
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    return this.getNow(id);
  }

  /** @inheritdoc */
  getNow(id: string): StoredSessionRecord | undefined {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return undefined;
    slots.markUsed(slot);
    const record: StoredSessionRecord = {
      data: JSON.parse(slots.json(slot)) as SessionDataRecord,
      createdAt: slots.createdAt(slot),
      expiresAt: slots.expiresAt(slot),
    };
    const maxAge = slots.maxAge(slot);
    if (maxAge !== undefined) record.cookie = { maxAge };
    return record;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.setNow(id, record, ttlMs);
  }

  /** @inheritdoc */
  setNow(id: string, record: SessionRecord, ttlMs: number): void {
    const json = JSON.stringify(record.data);
    const expiresAt = Date.now() + ttlMs;
    const maxAge = record.cookie?.maxAge;
    const slots = this.slots;
    const slot = slots.claim(id);
    slots.setJson(slot, json);
    slots.setMaxAge(slot, maxAge);
    slots.setCreatedAt(slot, record.createdAt);
    slots.setExpiresAt(slot, expiresAt);
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    return this.patchNow(id, patch, ttlMs);
  }

  /** @inheritdoc */
  patchNow(id: string, patch: SessionPatch, ttlMs: number): boolean {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return false;
    const data = Object.assign(
      Object.create(null) as SessionDataRecord,
      JSON.parse(slots.json(slot)) as SessionDataRecord,
    );
    for (const key of Object.keys(patch.set)) data[key] = patch.set[key];
    for (const key of patch.unset) delete data[key];
    slots.setJson(slot, JSON.stringify(data));
    slots.setExpiresAt(slot, Date.now() + ttlMs);
    if (patch.cookie) slots.setMaxAge(slot, patch.cookie.maxAge);
    slots.markUsed(slot);
    return true;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    this.slots.remove(id);
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    this.touchNow(id, ttlMs);
  }

  /** @inheritdoc */
  touchNow(id: string, ttlMs: number): void {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return;
    slots.setExpiresAt(slot, Date.now() + ttlMs);
    slots.markUsed(slot);
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    this.slots.clear();
    this.userIndex.clear();
  }

  /** Live (unexpired) sessions held. */
  async length(): Promise<number> {
    this.sweep();
    return this.slots.size;
  }

  /** Stops the sweep timer. The store keeps working, without the sweep. */
  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Sessions evicted so far because `maxSessions` was reached. */
  get evictedCount(): number {
    return this.slots.evictedCount;
  }

  /**
   * Removes every expired entry now. When three quarters or more of the slots
   * are then free, the live sessions are packed into smaller arrays, so the
   * memory a burst of sessions took is given back once they expire.
   */
  sweep(): void {
    this.slots.sweep();
    this.userIndex.sweep();
  }
}
