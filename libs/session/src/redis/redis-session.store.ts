import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredCookieSettings,
  StoredSessionRecord,
} from '../session-record.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import { RedisOperationTimeoutError, RedisUnavailableError } from './redis-session.errors.js';
import { PATCH_SESSION_SCRIPT, PATCH_SESSION_SHA } from './redis-session.scripts.js';
import type { RedisSessionStoreOptions } from './redis-session-store.options.js';
import { jsonSessionSerializer, type SessionSerializer } from './session-serializer.js';

/** Hash field holding the creation time. */
const CREATED_FIELD = '~created';
/** Hash field holding per-session cookie settings. */
const COOKIE_FIELD = '~cookie';
/** Prefix of the hash fields that hold data keys. */
const DATA_PREFIX = 'd:';

/**
 * Sessions in Redis, shared by every process and machine that uses the same
 * server and prefix.
 *
 * Each session is a hash: one field per data key, so a request's changes are
 * applied key by key in one atomic script, and two requests that change
 * different keys of one session at the same time both win (the same key:
 * last write wins). Lifetimes are Redis TTLs (`touch` is `PEXPIRE`);
 * `clear()` and `length()` walk the prefix with `SCAN`, never `KEYS`.
 *
 * @example
 * ```ts
 * import { RedisSessionStore } from '@nest-hive/session/redis';
 * SessionModule.forRoot({ secret, store: new RedisSessionStore({ url: process.env.REDIS_URL }) });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly serializer: SessionSerializer;
  private readonly timeoutMs: number;
  private readonly scanCount: number;
  private readonly logger = new Logger('RedisSessionStore');
  private lastErrorLog = 0;
  /** `false` once the connection failed, until it is ready again: calls then fail at once. */
  private reachable = true;

  constructor(options: RedisSessionStoreOptions = {}) {
    if (options.client && options.url) {
      throw new TypeError('RedisSessionStore takes either `client` or `url`, not both.');
    }
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new Redis(options.url ?? 'redis://127.0.0.1:6379', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
      });
    if (this.ownsClient) this.client.on('error', (error: Error) => this.logConnectionError(error));
    this.client.on('ready', () => (this.reachable = true));
    this.client.on('error', () => (this.reachable = false));
    this.client.on('close', () => (this.reachable = false));
    this.prefix = options.prefix ?? 'sess:';
    this.serializer = options.serializer ?? jsonSessionSerializer;
    this.timeoutMs = options.operationTimeoutMs ?? 2_000;
    this.scanCount = options.scanCount ?? 500;
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    const key = this.key(id);
    const [hash, ttl] = await this.run(async () => {
      const results = await this.client.multi().hgetall(key).pttl(key).exec();
      return [unwrap<Record<string, string>>(results, 0), unwrap<number>(results, 1)] as const;
    });
    if (!hash || hash[CREATED_FIELD] === undefined || ttl === -2) return undefined;
    const data = Object.create(null) as SessionDataRecord;
    for (const field of Object.keys(hash)) {
      if (field.startsWith(DATA_PREFIX)) {
        data[field.slice(DATA_PREFIX.length)] = this.serializer.parse(hash[field]);
      }
    }
    const record: StoredSessionRecord = {
      data,
      createdAt: Number(hash[CREATED_FIELD]),
      expiresAt: ttl >= 0 ? Date.now() + ttl : Number.MAX_SAFE_INTEGER,
    };
    const cookie = hash[COOKIE_FIELD];
    if (cookie !== undefined) record.cookie = JSON.parse(cookie) as StoredCookieSettings;
    return record;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const key = this.key(id);
    const fields: string[] = [CREATED_FIELD, String(record.createdAt)];
    if (record.cookie) fields.push(COOKIE_FIELD, JSON.stringify(record.cookie));
    for (const name of Object.keys(record.data)) {
      fields.push(DATA_PREFIX + name, this.serializer.stringify(record.data[name]));
    }
    await this.run(async () => {
      const results = await this.client
        .multi()
        .del(key)
        .hset(key, ...fields)
        .pexpire(key, ttlMs)
        .exec();
      unwrap(results, 2);
    });
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    const pairs: string[] = [];
    for (const name of Object.keys(patch.set)) {
      pairs.push(DATA_PREFIX + name, this.serializer.stringify(patch.set[name]));
    }
    if (patch.cookie) pairs.push(COOKIE_FIELD, JSON.stringify(patch.cookie));
    const args = [
      String(ttlMs),
      String(pairs.length / 2),
      ...pairs,
      ...patch.unset.map((name) => DATA_PREFIX + name),
    ];
    const applied = await this.run(() => this.evalPatch(this.key(id), args));
    return applied === 1;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    await this.run(() => this.client.del(this.key(id)));
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    await this.run(() => this.client.pexpire(this.key(id), ttlMs));
  }

  /** Deletes every session under this store's prefix (walking it with `SCAN`). */
  async clear(): Promise<void> {
    await this.scan(async (keys) => {
      if (keys.length > 0) await this.run(() => this.client.unlink(...keys));
    });
  }

  /** Sessions under this store's prefix (counted with `SCAN`). */
  async length(): Promise<number> {
    let count = 0;
    await this.scan((keys) => {
      count += keys.length;
    });
    return count;
  }

  /** Closes the client if the store created it; a client passed in stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.client.status === 'end') return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private key(id: string): string {
    return this.prefix + id;
  }

  private async scan(onKeys: (keys: string[]) => Promise<void> | void): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.run(() =>
        this.client.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', this.scanCount),
      );
      cursor = next;
      await onKeys(keys);
    } while (cursor !== '0');
  }

  private async evalPatch(key: string, args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(PATCH_SESSION_SHA, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(PATCH_SESSION_SCRIPT, 1, key, ...args);
    }
  }

  /** Runs one call once the client is ready, within the operation timeout. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new RedisOperationTimeoutError(this.timeoutMs)),
      this.timeoutMs,
    );
    const timedOut = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true }),
    );
    try {
      return await Promise.race([this.whenReady(abort.signal).then(call), timedOut]);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  private async whenReady(signal: AbortSignal): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (status === 'end') throw new Error('The Redis client was closed.');
    // During an outage, fail at once instead of holding the request until the next reconnect.
    if (!this.reachable) throw new RedisUnavailableError();
    if (status === 'wait') void this.client.connect().catch(() => undefined);
    await once(this.client, 'ready', { signal });
  }

  private logConnectionError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis connection problem: ${error.message}. Reconnecting.`);
  }
}

/** The result of command `index` of a MULTI, rethrowing its error. */
function unwrap<T>(results: Array<[Error | null, unknown]> | null, index: number): T {
  if (!results) throw new Error('Redis transaction was aborted.');
  const [error, value] = results[index] ?? [new Error('Missing Redis reply.'), undefined];
  if (error) throw error;
  return value as T;
}

/** Escapes glob characters so a prefix matches literally in `SCAN MATCH`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
