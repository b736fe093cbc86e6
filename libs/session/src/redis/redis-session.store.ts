import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { IndexedSessionStore, UserSessionIndex } from '../users/user-session-index.interface.js';
import { RedisCommands, type DurableWritesPolicy } from './redis-commands.js';
import { createRedisConnection, validateConnectionOptions } from './redis-connection.js';
import { escapeGlob, unlinkKeys, walkKeys } from './redis-key-walk.js';
import { pingRedis } from './redis-ping.js';
import { RedisSessionCodec } from './redis-session.codec.js';
import { GET_SESSION, PATCH_SESSION, SET_SESSION } from './redis-session.scripts.js';
import type { RedisSessionStoreOptions } from './redis-session-store.options.js';
import { RedisUserSessionIndex } from './redis-user-session.index.js';
import { jsonSessionSerializer } from './session-serializer.js';
import { readCacheSettings } from '../cluster/session-read-cache.js';
import { RedisReadCache } from './redis-read-cache.js';

const OWNER = 'RedisSessionStore';

/**
 * Sessions in Redis (one server, Sentinel or Cluster), shared by every process and machine that
 * uses the same Redis and prefix.
 *
 * Each session is a hash: one field per data key, so a request's changes are
 * applied key by key in one atomic script, and two requests that change
 * different keys of one session at the same time both win (the same key:
 * last write wins). Lifetimes are Redis TTLs (`touch` is `PEXPIRE`);
 * `clear()` and `length()` walk the prefix with `SCAN` (on every master of a Cluster), never
 * `KEYS`.
 *
 * Sessions live at `<prefix>{<id>}`; the per-user index ({@link userIndex}) keeps one hash per
 * user at `<prefix>user:{<hash of the user>}`, which expires with that user's last session.
 *
 * @example
 * ```ts
 * import { RedisSessionStore } from '@nest-hive/session/redis';
 * SessionModule.forRoot({ secret, store: new RedisSessionStore({ url: process.env.REDIS_URL }) });
 * ```
 */
export class RedisSessionStore implements IndexedSessionStore {
  private readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly commands: RedisCommands;
  private readonly prefix: string;
  private readonly codec: RedisSessionCodec;
  private readonly scanCount: number;
  private readonly logger = new Logger(OWNER);
  private readonly readCache: RedisReadCache | undefined;
  private lastErrorLog = 0;

  /** The sessions of each user, for `UserSessions` and `users.maxSessionsPerUser`. */
  readonly userIndex: UserSessionIndex;

  constructor(options: RedisSessionStoreOptions = {}) {
    validateConnectionOptions(options);
    const cache = readCacheSettings(OWNER, options.readCache);
    const timeoutMs = options.operationTimeoutMs ?? 2_000;
    const durable = durableWritesPolicy(options, timeoutMs);
    this.ownsClient = !options.client;
    this.client = options.client ?? createRedisConnection(options, { enableOfflineQueue: false });
    if (this.ownsClient) this.client.on('error', (error: Error) => this.logConnectionError(error));
    this.commands = new RedisCommands(this.client, timeoutMs, durable);
    this.prefix = options.prefix ?? 'sess:';
    this.codec = new RedisSessionCodec(options.serializer ?? jsonSessionSerializer);
    this.scanCount = options.scanCount ?? 500;
    this.userIndex = new RedisUserSessionIndex({
      client: this.client,
      commands: this.commands,
      prefix: this.prefix,
    });
    this.readCache = cache && new RedisReadCache(this.client, this.prefix, cache, cache.leaseMs + timeoutMs);
  }

  /** @inheritdoc */
  get(id: string): Promise<StoredSessionRecord | undefined> {
    return this.readCache ? this.readCache.read(id, () => this.fetch(id)) : this.fetch(id);
  }

  /** This process' copy of `id`, when it holds one it may serve now. */
  getIfCached(id: string): StoredSessionRecord | undefined {
    return this.readCache?.lookup(id);
  }

  /** @inheritdoc */
  set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    return this.written(id, async () => {
      await this.commands.runScript(SET_SESSION, this.key(id), [
        String(ttlMs),
        ...this.codec.recordFields(record),
      ]);
    });
  }

  /** @inheritdoc */
  patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    return this.written(id, async () => {
      const { pairs, deleted } = this.codec.patchFields(patch);
      const args = [String(ttlMs), String(pairs.length / 2), ...pairs, ...deleted];
      return (await this.commands.runScript(PATCH_SESSION, this.key(id), args)) === 1;
    });
  }

  /** @inheritdoc */
  destroy(id: string): Promise<void> {
    return this.written(id, async () => {
      await this.commands.runDelete(this.key(id));
    });
  }

  /**
   * This process' read cache: the sessions it holds copies of, and the reads it answered from a
   * copy (`hits`) or from Redis (`misses`) since it started. All `0` when the cache is off.
   */
  readCacheStats(): { entries: number; hits: number; misses: number } {
    return this.readCache?.stats() ?? { entries: 0, hits: 0, misses: 0 };
  }

  private async fetch(id: string): Promise<StoredSessionRecord | undefined> {
    const [fields, ttl] = (await this.commands.runReadScript(GET_SESSION, this.key(id))) as [
      string[],
      number,
    ];
    const hash: Record<string, string> = Object.create(null) as Record<string, string>;
    for (let i = 0; i + 1 < fields.length; i += 2) hash[fields[i]] = fields[i + 1];
    return this.codec.decode(hash, ttl);
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    await this.commands.run(() => this.client.pexpire(this.key(id), ttlMs));
  }

  /**
   * Checks that Redis answers: `PING` to the server, or to the master of every slot of a Cluster
   * (so a master that is down, whose sessions are unreachable, fails the check until a replica
   * took its slots).
   * The session health indicator calls it.
   */
  async ping(): Promise<void> {
    await this.commands.run(() => pingRedis(this.client));
  }

  /** Deletes every session under this store's prefix, and the per-user index (walking both with `SCAN`). */
  async clear(): Promise<void> {
    await this.written(null, () => this.unlinkAll());
  }

  private async unlinkAll(): Promise<void> {
    for (const pattern of [this.pattern(), this.indexPattern()]) {
      await walkKeys(this.client, pattern, this.scanCount, this.run, (keys) =>
        this.run(() => unlinkKeys(this.client, keys)),
      );
    }
  }

  /** Sessions under this store's prefix (counted with `SCAN`, each key once; the index keys are not sessions). */
  async length(): Promise<number> {
    let count = 0;
    await walkKeys(this.client, this.pattern(), this.scanCount, this.run, (keys) => {
      count += keys.length;
    });
    return count;
  }

  /** Closes the connection if the store made it; a client passed in stays open. */
  async close(): Promise<void> {
    this.readCache?.close();
    this.commands.close();
    if (!this.ownsClient || this.client.status === 'end') return;
    await this.client.quit().catch(() => undefined);
    // After QUIT, ioredis keeps a Sentinel client's failover-detector connections to the sentinels.
    this.client.disconnect();
  }

  /** A write of `id` (`null`: of every session): no copy of it outlives it on this machine. */
  private written<T>(id: string | null, write: () => Promise<T>): Promise<T> {
    return this.readCache ? this.readCache.write(id === null ? 'all' : [id], write) : write();
  }

  private readonly run = <T>(call: () => Promise<T>): Promise<T> => this.commands.run(call);

  private key(id: string): string {
    return `${this.prefix}{${id}}`;
  }

  /** Session keys only: `<prefix>{*` (never the index's `<prefix>user:{*`). */
  private pattern(): string {
    return `${escapeGlob(this.prefix)}\\{*`;
  }

  /** The per-user index keys. */
  private indexPattern(): string {
    return `${escapeGlob(this.prefix)}user:\\{*`;
  }

  private logConnectionError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis connection problem: ${error.message}. Reconnecting.`);
  }
}

/** The durable-writes policy of `options`, checked against the operation timeout. */
function durableWritesPolicy(
  options: RedisSessionStoreOptions,
  operationTimeoutMs: number,
): DurableWritesPolicy | undefined {
  const setting = options.durableWrites;
  if (setting === undefined || setting === false) return undefined;
  const { replicas = 1, timeoutMs = 500 } = setting === true ? {} : setting;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new TypeError(`${OWNER}: durableWrites.replicas must be a whole number ≥ 1; got ${replicas}.`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs >= operationTimeoutMs) {
    throw new TypeError(
      `${OWNER}: durableWrites.timeoutMs (${timeoutMs}) must be a whole number of ms below ` +
        `operationTimeoutMs (${operationTimeoutMs}); lower it or raise operationTimeoutMs.`,
    );
  }
  return { replicas, timeoutMs };
}
