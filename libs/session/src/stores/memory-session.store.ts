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

/** Where a memory store keeps its operations without promises: a key only this package holds. */
const AT_ONCE = Symbol('nest-hive.session.memory-at-once');

/** A store's reads and writes done at once, without a promise. */
export interface ImmediateStoreOperations {
  get(id: string): StoredSessionRecord | undefined;
  set(id: string, record: SessionRecord, ttlMs: number): void;
  patch(id: string, patch: SessionPatch, ttlMs: number): boolean;
  touch(id: string, ttlMs: number): void;
}

/**
 * The operations of `store` done at once: for a {@link MemorySessionStore}
 * whose `get`, `set`, `patch` and `touch` are its own (a subclass that
 * overrides one is called through its methods), functions that answer
 * without a promise; `undefined` for any other store. Loading and saving a
 * session then wait for nothing: `@Session()` hands the session over in the
 * same tick, and the response goes out as soon as the handler is done.
 */
export function immediateOperationsOf(store: SessionStore): ImmediateStoreOperations | undefined {
  if (!(store instanceof MemorySessionStore)) return undefined;
  const own = MemorySessionStore.prototype;
  const overridden =
    store.get !== own.get || store.set !== own.set || store.patch !== own.patch || store.touch !== own.touch;
  return overridden ? undefined : store[AT_ONCE];
}

/** No slot: the end of the recency list or of the free list. */
const NONE = -1;

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
  // Layout: each session lives in a slot, a small integer that indexes a few
  // arrays. The map holds the slot itself (a small integer needs no
  // allocation), the timestamps are unboxed doubles, and the recency links are
  // slot numbers, so an idle session costs its map entry, its JSON text and
  // seven array elements: no object and no boxed number of its own. Fields
  // read together sit side by side (slot `s` at `2s` and `2s + 1`), so one
  // request touches few cache lines. Freed slots are reused first (their
  // `newer` link chains the free list), and the arrays grow only when every
  // slot is in use, so never past `maxSessions` slots.

  /** Session id → slot. */
  private readonly slots = new Map<string, number>();
  /** Per slot: the session id (the map's own key string), `''` when free. */
  private ids: string[] = [];
  /**
   * At `2s`: the data as one JSON text, which keeps it compact and copy-safe.
   * At `2s + 1`: the `maxAge` cookie setting, `undefined` when none was set.
   */
  private values: (string | number | null | undefined)[] = [];
  /** At `2s`: epoch ms when the session was first saved. At `2s + 1`: epoch ms when the entry expires. */
  private times: number[] = [];
  /**
   * At `2s`: the next less recently used slot (`NONE` for the oldest). At
   * `2s + 1`: the next more recently used slot (`NONE` for the newest); for a
   * free slot, the next free slot.
   */
  private links: number[] = [];
  /** Head of the free-slot list. */
  private freeSlot = NONE;
  /** Least recently used end of the recency list. */
  private oldest = NONE;
  /** Most recently used end. */
  private newest = NONE;
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
    return this.getAtOnce(id);
  }

  /** {@link get}, {@link set}, {@link patch} and {@link touch} without promises (see {@link immediateOperationsOf}). */
  readonly [AT_ONCE]: ImmediateStoreOperations = {
    get: (id) => this.getAtOnce(id),
    set: (id, record, ttlMs) => this.setAtOnce(id, record, ttlMs),
    patch: (id, patch, ttlMs) => this.patchAtOnce(id, patch, ttlMs),
    touch: (id, ttlMs) => this.touchAtOnce(id, ttlMs),
  };

  private getAtOnce(id: string): StoredSessionRecord | undefined {
    const slot = this.live(id);
    if (slot === NONE) return undefined;
    this.markUsed(slot);
    const record: StoredSessionRecord = {
      data: JSON.parse(this.values[2 * slot] as string) as SessionDataRecord,
      createdAt: this.times[2 * slot],
      expiresAt: this.times[2 * slot + 1],
    };
    const maxAge = this.values[2 * slot + 1] as number | null | undefined;
    if (maxAge !== undefined) record.cookie = { maxAge };
    return record;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.setAtOnce(id, record, ttlMs);
  }

  private setAtOnce(id: string, record: SessionRecord, ttlMs: number): void {
    const json = JSON.stringify(record.data);
    const expiresAt = Date.now() + ttlMs;
    const maxAge = record.cookie?.maxAge;
    let slot = this.slots.get(id);
    if (slot === undefined) {
      // Make room first, so that a full store reuses the evicted slot.
      while (this.slots.size >= this.maxSessions && this.oldest !== NONE) {
        this.remove(this.ids[this.oldest]);
        this.evictions++;
      }
      slot = this.allocate(id);
      this.slots.set(id, slot);
      this.append(slot);
    } else {
      // Replaced in place: the map keeps its entry (see markUsed).
      this.markUsed(slot);
    }
    this.values[2 * slot] = json;
    this.values[2 * slot + 1] = maxAge;
    this.times[2 * slot] = record.createdAt;
    this.times[2 * slot + 1] = expiresAt;
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    return this.patchAtOnce(id, patch, ttlMs);
  }

  private patchAtOnce(id: string, patch: SessionPatch, ttlMs: number): boolean {
    const slot = this.live(id);
    if (slot === NONE) return false;
    const data = Object.assign(
      Object.create(null) as SessionDataRecord,
      JSON.parse(this.values[2 * slot] as string) as SessionDataRecord,
    );
    for (const key of Object.keys(patch.set)) data[key] = patch.set[key];
    for (const key of patch.unset) delete data[key];
    this.values[2 * slot] = JSON.stringify(data);
    this.times[2 * slot + 1] = Date.now() + ttlMs;
    if (patch.cookie) this.values[2 * slot + 1] = patch.cookie.maxAge;
    this.markUsed(slot);
    return true;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    this.remove(id);
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    this.touchAtOnce(id, ttlMs);
  }

  private touchAtOnce(id: string, ttlMs: number): void {
    const slot = this.live(id);
    if (slot === NONE) return;
    this.times[2 * slot + 1] = Date.now() + ttlMs;
    this.markUsed(slot);
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    this.slots.clear();
    this.oldest = this.newest = NONE;
    this.rebuild();
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
    return this.evictions;
  }

  /**
   * Removes every expired entry now. When three quarters or more of the slots
   * are then free, the live sessions are packed into smaller arrays, so the
   * memory a burst of sessions took is given back once they expire.
   */
  sweep(): void {
    const now = Date.now();
    for (const [id, slot] of this.slots) if (this.times[2 * slot + 1] <= now) this.remove(id);
    if (this.slots.size * 4 <= this.ids.length && this.ids.length > 64) this.rebuild();
  }

  /** The slot of an unexpired entry, or `NONE` (an expired entry is removed). */
  private live(id: string): number {
    const slot = this.slots.get(id);
    if (slot === undefined) return NONE;
    if (this.times[2 * slot + 1] <= Date.now()) {
      this.remove(id);
      return NONE;
    }
    return slot;
  }

  /**
   * Moves a slot to the most recently used end of the recency list. The map
   * itself is left alone: deleting and re-adding the same key of a large
   * `Map` on every request (a hot session) makes V8 walk an ever longer chain
   * of deleted copies of that key.
   */
  private markUsed(slot: number): void {
    if (this.newest === slot) return;
    this.unlink(slot);
    this.append(slot);
  }

  private append(slot: number): void {
    this.links[2 * slot] = this.newest;
    this.links[2 * slot + 1] = NONE;
    if (this.newest !== NONE) this.links[2 * this.newest + 1] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const older = this.links[2 * slot];
    const newer = this.links[2 * slot + 1];
    if (older !== NONE) this.links[2 * older + 1] = newer;
    else this.oldest = newer;
    if (newer !== NONE) this.links[2 * newer] = older;
    else this.newest = older;
  }

  /** Deletes an entry from the map and the recency list, and frees its slot. */
  private remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.unlink(slot);
    // Drop the strings and the cookie setting the slot held.
    this.ids[slot] = '';
    this.values[2 * slot] = '';
    this.values[2 * slot + 1] = undefined;
    this.links[2 * slot + 1] = this.freeSlot;
    this.freeSlot = slot;
  }

  /**
   * A slot for `id`: a freed one if any, else a new one at the end of the
   * arrays (which grow as `push` makes them). The caller links it and fills
   * its other fields.
   */
  private allocate(id: string): number {
    const slot = this.freeSlot;
    if (slot !== NONE) {
      this.freeSlot = this.links[2 * slot + 1];
      this.ids[slot] = id;
      return slot;
    }
    const end = this.ids.length;
    this.ids.push(id);
    this.values.push('', undefined);
    this.times.push(0, 0);
    this.links.push(NONE, NONE);
    return end;
  }

  /**
   * Packs the live sessions into fresh arrays, one slot each from the least
   * recently used to the most, with no free slot left over. The map keeps its
   * entries; only their values (the slots) change.
   */
  private rebuild(): void {
    const ids: string[] = [];
    const values: (string | number | null | undefined)[] = [];
    const times: number[] = [];
    const links: number[] = [];
    for (let from = this.oldest, to = 0; from !== NONE; from = this.links[2 * from + 1], to++) {
      const id = this.ids[from];
      ids.push(id);
      values.push(this.values[2 * from], this.values[2 * from + 1]);
      times.push(this.times[2 * from], this.times[2 * from + 1]);
      links.push(to - 1, to + 1);
      this.slots.set(id, to);
    }
    const count = ids.length;
    if (count > 0) links[2 * count - 1] = NONE;
    this.ids = ids;
    this.values = values;
    this.times = times;
    this.links = links;
    this.freeSlot = NONE;
    this.oldest = count > 0 ? 0 : NONE;
    this.newest = count - 1;
  }
}
