import { type ClusterMessaging } from '@nest-hive/cluster';
import { getProcessMessaging } from '@nest-hive/cluster/extensions';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import { resolve } from 'node:path';
import { checkFileStoreOptions } from '../stores/file/file-session-store.check.js';
import {
  DEFAULT_SESSION_FILE,
  type FileSessionStoreOptions,
  type SessionPersistenceOptions,
} from '../stores/file/file-session-store.options.js';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';
import type { IndexedSessionStore, UserSessionIndex } from '../users/user-session-index.interface.js';
import { ClusterHostLink } from './cluster-host.link.js';
import {
  SESSION_CLEAR,
  SESSION_DESTROY,
  SESSION_GET,
  SESSION_LENGTH,
  SESSION_PATCH,
  SESSION_PING,
  SESSION_SET,
  SESSION_TOUCH,
} from './cluster-session.topics.js';
import { ClusterUserSessionIndex } from './cluster-user-session.index.js';
import { type SessionReadCache, readCacheSettings } from './session-read-cache.js';
import { type ClusterReadCacheOptions, type WorkerReadCache, acquireReadCache } from './worker-read-cache.js';

/** Options of {@link ClusterSessionStore}. */
export interface ClusterSessionStoreOptions {
  /** The IPC endpoint to use. Default: this worker's, from `bootstrapCluster`. */
  messaging?: ClusterMessaging;
  /**
   * Longest wait (ms) for the primary to answer one call. A call that takes
   * longer (primary busy, channel closed) fails, and the request gets a 503.
   * Default `2000`.
   */
  timeoutMs?: number;
  /** Memory settings of the primary's store; the first worker to connect sets them. */
  memoryStore?: MemorySessionStoreOptions;
  /**
   * Where the primary keeps the sessions on disk, so that they survive a restart of the whole
   * cluster and `kill -9`; `false` keeps them in the primary's memory only (they end with it).
   * The first worker to connect sets it. Default `{ path: '.nest-hive/sessions.db' }`, relative
   * to the working directory.
   */
  persistence?: SessionPersistenceOptions | false;
  /**
   * Each worker keeps copies of the sessions it reads, so that a read is a local lookup instead of
   * a round trip to the primary. Coherent: the primary acknowledges a write, destroy or revoke only
   * once every other worker that read the session has dropped its copy (or its lease has ended), so
   * no request answered after it sees the old value. `false` reads from the primary every time.
   * Default `{ maxEntries: 10000, leaseMs: 2000 }`; off with `workers: 0`, where the primary's
   * store is in the same process.
   */
  readCache?: ClusterReadCacheOptions | false;
}

/** The primary's file settings, checked here and with an absolute path (the primary may run elsewhere). */
function fileOptions(
  persistence: SessionPersistenceOptions | false | undefined,
): FileSessionStoreOptions | undefined {
  if (persistence === false) return undefined;
  if (persistence !== undefined && (typeof persistence !== 'object' || persistence === null)) {
    throw new TypeError(
      'ClusterSessionStore option `persistence` must be an object ({ path, durability }) or false.',
    );
  }
  const file = { ...persistence, path: resolve(persistence?.path ?? DEFAULT_SESSION_FILE) };
  checkFileStoreOptions(file);
  return file;
}

/**
 * One session store for every worker of a cluster, held by the primary and
 * reached over `@nest-hive/cluster` request/reply. No external server is
 * needed: a session written through one worker is read through any other,
 * and survives worker crashes and rolling restarts. The primary keeps the
 * sessions in a file (see {@link ClusterSessionStoreOptions.persistence}), so
 * they survive a restart of the whole cluster too.
 *
 * `SessionModule` picks it by itself under `bootstrapCluster` when no store
 * is given. The primary needs no code: the first call asks it to start the
 * host side, `clusterSessionHost`. Its {@link userIndex} lives in the
 * primary too, beside the sessions, so an entry goes with its session.
 *
 * @example
 * ```ts
 * import { ClusterSessionStore } from '@nest-hive/session/cluster';
 * SessionModule.forRoot({ secret, store: new ClusterSessionStore({ timeoutMs: 1000 }) });
 * ```
 */
export class ClusterSessionStore implements IndexedSessionStore {
  /** The sessions of each user, kept by the primary beside the sessions (they go together). */
  readonly userIndex: UserSessionIndex;
  private readonly link: ClusterHostLink;
  private readonly readCache: WorkerReadCache | undefined;

  constructor(options: ClusterSessionStoreOptions = {}) {
    const messaging = options.messaging ?? getProcessMessaging();
    if (!messaging) {
      throw new TypeError(
        'ClusterSessionStore needs a process started by bootstrapCluster() from @nest-hive/cluster; ' +
          'in a single process use MemorySessionStore.',
      );
    }
    this.link = new ClusterHostLink({
      messaging,
      timeoutMs: options.timeoutMs ?? 2_000,
      host: { memoryStore: options.memoryStore, file: fileOptions(options.persistence) },
    });
    this.userIndex = new ClusterUserSessionIndex(this.link);
    const cacheOptions = readCacheSettings('ClusterSessionStore', options.readCache);
    if (cacheOptions && messaging.self.mode === 'cluster' && !messaging.self.isPrimary) {
      this.readCache = acquireReadCache(messaging, this.link, cacheOptions);
    }
  }

  /** This worker's copies, when the read cache is on. */
  private get cache(): SessionReadCache | undefined {
    return this.readCache?.cache;
  }

  /**
   * Has the primary start its store now (opening its file); `SessionModule` calls it at start-up,
   * so a file the primary cannot use stops the worker's start with its `SessionFileError`.
   */
  open(): Promise<void> {
    return this.link.attached();
  }

  /** This worker's copy of `id`, when it holds one it may serve now. */
  getIfCached(id: string): StoredSessionRecord | undefined {
    return this.cache?.lookup(id, Date.now());
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    const cache = this.cache;
    if (!cache) return (await this.link.request(SESSION_GET, { id })) ?? undefined;
    const copy = cache.lookup(id, Date.now());
    if (copy !== undefined) return copy;
    const token = cache.startRead(id);
    let record: StoredSessionRecord | undefined;
    try {
      record = (await this.link.request(SESSION_GET, { id })) ?? undefined;
    } catch (error) {
      cache.finishRead(id, token, undefined);
      throw error;
    }
    cache.finishRead(id, token, record); // it keeps a copy of its own
    return record;
  }

  /** @inheritdoc */
  set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    return this.writing(id, async () => {
      await this.link.request(SESSION_SET, { id, record, ttlMs });
    });
  }

  /** @inheritdoc */
  patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    return this.writing(id, () => this.link.request(SESSION_PATCH, { id, patch, ttlMs }));
  }

  /** @inheritdoc */
  destroy(id: string): Promise<void> {
    return this.writing(id, async () => {
      await this.link.request(SESSION_DESTROY, { id });
    });
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    const sentAt = Date.now();
    await this.link.request(SESSION_TOUCH, { id, ttlMs });
    // The primary's new expiry is at least this: the copy may live that long.
    this.cache?.extend(id, sentAt + ttlMs);
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    this.cache?.invalidateAll();
    try {
      await this.link.request(SESSION_CLEAR, {});
    } finally {
      this.cache?.invalidateAll();
    }
  }

  /** @inheritdoc */
  length(): Promise<number> {
    return this.link.request(SESSION_LENGTH, {});
  }

  /** Fails while the primary's store cannot write its file (e.g. the disk is full). */
  async ping(): Promise<void> {
    await this.link.request(SESSION_PING, {});
  }

  /**
   * This worker's read cache: the sessions it holds copies of, and the reads it answered from a
   * copy (`hits`) or from the primary (`misses`) since it started. All `0` when the cache is off.
   */
  readCacheStats(): { entries: number; hits: number; misses: number } {
    const cache = this.cache;
    return cache
      ? { entries: cache.size, hits: cache.hits, misses: cache.misses }
      : { entries: 0, hits: 0, misses: 0 };
  }

  /** Stops this store's share of the read cache (the last store of a worker ends its lease). */
  async close(): Promise<void> {
    this.readCache?.release();
  }

  /**
   * Runs one write of session `id`: this worker's copy is dropped before it goes and once it is
   * answered (an answer read meanwhile may predate it); the primary has the other workers drop
   * theirs before it answers.
   */
  private async writing<T>(id: string, send: () => Promise<T>): Promise<T> {
    this.cache?.invalidate([id]);
    try {
      return await send();
    } finally {
      this.cache?.invalidate([id]);
    }
  }
}
