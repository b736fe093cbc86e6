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

/** One stored session: its data as one JSON text, which keeps it compact and copy-safe. */
class MemoryEntry {
  constructor(
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
      JSON.stringify(record.data),
      record.createdAt,
      Date.now() + ttlMs,
      record.cookie?.maxAge,
    );
    this.entries.delete(id);
    this.entries.set(id, entry);
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
    this.entries.delete(id);
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
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }

  private live(id: string): MemoryEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Moves an entry to the most-recently-used end of the map. */
  private markUsed(id: string, entry: MemoryEntry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  private evictOverflow(): void {
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }
}
