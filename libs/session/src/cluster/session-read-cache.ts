import type { StoredCookieSettings, StoredSessionRecord } from '../session-record.interface.js';

/** The shortest and longest lease a read cache may ask for. */
export const CACHE_LEASE_BOUNDS = { min: 100, max: 60_000 } as const;

/** A read cache's settings as the stores take them. */
export interface ReadCacheSettings {
  /** The most sessions it keeps copies of. */
  maxEntries?: number;
  /** How long (ms) a lease lasts. */
  leaseMs?: number;
}

/**
 * A store's `readCache` option, checked and completed (`{ maxEntries: 10000, leaseMs: 2000 }`);
 * `undefined` when it is `false`.
 *
 * @throws TypeError naming `owner`'s option and the fix.
 */
export function readCacheSettings(
  owner: string,
  readCache: ReadCacheSettings | false | undefined,
): Required<ReadCacheSettings> | undefined {
  if (readCache === false) return undefined;
  if (readCache !== undefined && (typeof readCache !== 'object' || readCache === null)) {
    throw new TypeError(
      `${owner} option \`readCache\` must be an object ({ maxEntries, leaseMs }) or false.`,
    );
  }
  const options = { maxEntries: 10_000, leaseMs: 2_000, ...readCache };
  if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
    throw new TypeError(
      `${owner} option \`readCache.maxEntries\` must be a positive integer; got ${String(options.maxEntries)}.`,
    );
  }
  const { min, max } = CACHE_LEASE_BOUNDS;
  if (!Number.isFinite(options.leaseMs) || options.leaseMs < min || options.leaseMs > max) {
    throw new TypeError(
      `${owner} option \`readCache.leaseMs\` must be between ${min} and ${max} ms; got ${String(options.leaseMs)}.`,
    );
  }
  return options;
}

/** A copy as the cache keeps it: the data as JSON, so each read gets a fresh object cheaply. */
interface CachedRecord {
  readonly json: string;
  readonly createdAt: number;
  expiresAt: number;
  readonly cookie: StoredCookieSettings | undefined;
}

/** A read in flight: when it started, and the last invalidation of its id since. */
interface PendingRead {
  count: number;
  invalidatedAt: number;
}

/** What {@link SessionReadCache} needs. */
export interface SessionReadCacheOptions {
  /** The most records it holds; the least recently used goes first. */
  readonly maxEntries: number;
  /** A monotonic clock in ms (`performance.now`). */
  readonly now: () => number;
}

/**
 * One worker's copies of the sessions it read from the primary, and the rules that keep them
 * coherent. Pure bookkeeping: the caller fetches, and tells it about invalidations and leases.
 *
 * - A copy is served only under a lease: until `leaseEnd`, the primary waits for this worker's
 *   acknowledgement (or the lease's end) before it acknowledges any write of a copy it holds.
 * - A read's answer is kept only when no invalidation of its id (nor of everything) came while
 *   it was in flight, so an answer overtaken by a write is never kept.
 * - Copies out of the least recently used end are handed back to the primary by `released()`,
 *   which leaves out ids read again meanwhile.
 */
export class SessionReadCache {
  private readonly entries = new Map<string, CachedRecord>();
  private readonly pending = new Map<string, PendingRead>();
  private readonly evicted = new Set<string>();
  /** A counter ordering reads and invalidations. */
  private clock = 0;
  private clearedAt = 0;
  private leaseEnd = Number.NEGATIVE_INFINITY;
  /** Reads answered from a copy. */
  hits = 0;
  /** Reads that went to the primary. */
  misses = 0;

  /** @param options - its bound and clock. */
  constructor(private readonly options: SessionReadCacheOptions) {}

  /** How many copies it holds. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether copies may be served now (the lease runs). */
  get leased(): boolean {
    return this.options.now() < this.leaseEnd;
  }

  /**
   * The copy of `id` while the lease runs and the copy has not expired at `wallNow` (epoch ms);
   * `undefined` means: ask the primary. Each call returns a new object (the caller may change it).
   */
  lookup(id: string, wallNow: number): StoredSessionRecord | undefined {
    const record = this.entries.get(id);
    if (record === undefined || !this.leased) return undefined;
    if (record.expiresAt <= wallNow) {
      this.entries.delete(id); // maybe touched elsewhere since: the primary knows
      this.evicted.add(id);
      return undefined;
    }
    this.entries.delete(id); // most recently used last
    this.entries.set(id, record);
    this.hits += 1;
    const copy: StoredSessionRecord = {
      data: JSON.parse(record.json) as StoredSessionRecord['data'],
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
    };
    if (record.cookie) copy.cookie = { ...record.cookie };
    return copy;
  }

  /** A read of `id` goes to the primary (a miss); pass the token to {@link finishRead}. */
  startRead(id: string): number {
    this.misses += 1;
    const token = ++this.clock;
    const pending = this.pending.get(id);
    if (pending) pending.count += 1;
    else this.pending.set(id, { count: 1, invalidatedAt: 0 });
    return token;
  }

  /**
   * The primary answered the read `token` of `id`: keeps `record` when nothing invalidated it
   * meanwhile and the lease runs (`undefined`, absent, is not kept); it keeps a copy, not `record`.
   * Whether it kept it.
   */
  finishRead(id: string, token: number, record: StoredSessionRecord | undefined): boolean {
    const pending = this.pending.get(id);
    if (!pending) return false;
    const overtaken = pending.invalidatedAt > token || this.clearedAt > token;
    pending.count -= 1;
    if (pending.count === 0) this.pending.delete(id);
    if (overtaken || record === undefined || !this.leased) return false;
    this.entries.delete(id);
    this.entries.set(id, {
      json: JSON.stringify(record.data),
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      cookie: record.cookie && { ...record.cookie },
    });
    this.evicted.delete(id);
    this.trim();
    return true;
  }

  /** Drops the copy of each id, and any answer in flight for it. */
  invalidate(ids: Iterable<string>): void {
    const at = ++this.clock;
    for (const id of ids) {
      this.entries.delete(id);
      const pending = this.pending.get(id);
      if (pending) pending.invalidatedAt = at;
    }
  }

  /** Drops every copy and every answer in flight. */
  invalidateAll(): void {
    this.clearedAt = ++this.clock;
    this.entries.clear();
  }

  /**
   * Sets the copy's expiry after this worker's own touch (`expiresAt` at most the primary's), when
   * the copy is still there.
   */
  extend(id: string, expiresAt: number): void {
    const record = this.entries.get(id);
    if (record !== undefined && record.expiresAt < expiresAt) record.expiresAt = expiresAt;
  }

  /**
   * A lease asked for at `askedAt` (on this clock) was granted for `leaseMs`. A lease that ran out
   * before drops every copy first: the primary may have acknowledged writes without waiting.
   */
  granted(askedAt: number, leaseMs: number): void {
    if (!this.leased) this.invalidateAll();
    this.leaseEnd = Math.max(this.leaseEnd, askedAt + leaseMs);
  }

  /** Ends the lease and drops every copy (the link to the primary is gone). */
  revoke(): void {
    this.leaseEnd = Number.NEGATIVE_INFINITY;
    this.invalidateAll();
  }

  /**
   * Up to `max` ids evicted since the last call that this worker neither holds nor reads now: the
   * primary need not tell it about them any more.
   */
  released(max: number): string[] {
    const ids: string[] = [];
    for (const id of this.evicted) {
      if (ids.length === max) break;
      this.evicted.delete(id);
      if (!this.entries.has(id) && !this.pending.has(id)) ids.push(id);
    }
    return ids;
  }

  private trim(): void {
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
      this.evicted.add(oldest);
    }
  }
}
