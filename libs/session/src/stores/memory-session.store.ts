import type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredSessionRecord,
} from '../session-record.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SWEEP_INTERVAL_MS,
  type MemorySessionStoreOptions,
} from './memory-session-store.options.js';

/**
 * One stored session: its data as one JSON text, which keeps it compact and
 * copy-safe, and its links in the recency list (least recently used first).
 */
class MemoryEntry {
  older: MemoryEntry | undefined;
  newer: MemoryEntry | undefined;

  constructor(
    readonly id: string,
    public json: string,
    public readonly createdAt: number,
    public expiresAt: number,
    public maxAge: number | null | undefined,
  ) {}
}

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
 *
 * @example
 * ```ts
 * SessionModule.forRoot({ secret, store: new MemorySessionStore({ maxSessions: 50_000 }) });
 * ```
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, MemoryEntry>();
  /** Least recently used end of the recency list. */
  private oldest: MemoryEntry | undefined;
  /** Most recently used end. */
  private newest: MemoryEntry | undefined;
  private readonly maxSessions: number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private evictions = 0;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new RangeError('MemorySessionStore option `maxSessions` must be a positive integer.');
    }
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), interval);
      this.sweepTimer.unref();
    }
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    const entry = this.live(id);
    if (!entry) return undefined;
    this.markUsed(id, entry);
    const record: StoredSessionRecord = {
      data: JSON.parse(entry.json) as SessionDataRecord,
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
    };
    if (entry.maxAge !== undefined) record.cookie = { maxAge: entry.maxAge };
    return record;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const entry = new MemoryEntry(
      id,
      JSON.stringify(record.data),
      record.createdAt,
      Date.now() + ttlMs,
      record.cookie?.maxAge,
    );
    this.remove(id);
    this.entries.set(id, entry);
    this.append(entry);
    this.evictOverflow();
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    const entry = this.live(id);
    if (!entry) return false;
    const data = Object.assign(
      Object.create(null) as SessionDataRecord,
      JSON.parse(entry.json) as SessionDataRecord,
    );
    for (const key of Object.keys(patch.set)) data[key] = patch.set[key];
    for (const key of patch.unset) delete data[key];
    entry.json = JSON.stringify(data);
    entry.expiresAt = Date.now() + ttlMs;
    if (patch.cookie) entry.maxAge = patch.cookie.maxAge;
    this.markUsed(id, entry);
    return true;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    this.remove(id);
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    const entry = this.live(id);
    if (!entry) return;
    entry.expiresAt = Date.now() + ttlMs;
    this.markUsed(id, entry);
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    this.entries.clear();
    this.oldest = this.newest = undefined;
  }

  /** Live (unexpired) sessions held. */
  async length(): Promise<number> {
    this.sweep();
    return this.entries.size;
  }

  /** Stops the sweep timer. The store keeps working, without the sweep. */
  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Sessions evicted so far because `maxSessions` was reached. */
  get evictedCount(): number {
    return this.evictions;
  }

  /** Removes every expired entry now. */
  sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.remove(id);
  }

  private live(id: string): MemoryEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.remove(id);
      return undefined;
    }
    return entry;
  }

  /**
   * Moves an entry to the most recently used end of the recency list. The
   * map itself is left alone: deleting and re-adding the same key of a large
   * `Map` on every request (a hot session) makes V8 walk an ever longer chain
   * of deleted copies of that key.
   */
  private markUsed(_id: string, entry: MemoryEntry): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    this.append(entry);
  }

  private append(entry: MemoryEntry): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: MemoryEntry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = undefined;
  }

  /** Deletes an entry from the map and the recency list. */
  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.unlink(entry);
  }

  private evictOverflow(): void {
    while (this.entries.size > this.maxSessions && this.oldest) {
      this.remove(this.oldest.id);
      this.evictions++;
    }
  }
}
