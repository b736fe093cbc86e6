import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../session.constants.js';
import { SessionStoreUnavailableError } from '../session.errors.js';
import type { SessionConfig } from '../session-config.js';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import {
  isImmediateSessionStore,
  type ImmediateSessionStore,
  type SessionStore,
} from '../session-store.interface.js';
import { isSecureRequest } from './request-security.js';
import { SessionCookieCodec } from './session-cookie.codec.js';
import { SessionLifetime } from './session-lifetime.js';
import { SessionLog, type StoreOperation } from './session-log.js';
import { shareCookieSettings } from './store-cookie-settings.js';
import { SessionOwners } from './session-owners.js';
import { InvalidSessionOptionsError } from '../session.errors.js';
import { isIndexedSessionStore, type UserSessionIndex } from '../users/user-session-index.interface.js';

export type { StoreOperation } from './session-log.js';

/** Told of every store call the runtime makes: its operation, duration in seconds, and outcome. */
export type StoreCallObserver = (operation: StoreOperation, seconds: number, failed: boolean) => void;

/**
 * Everything one `SessionModule` shares between its requests: the resolved
 * config, the store, the cookie codec, the lifetime arithmetic and the log.
 * Store calls go through here, one method per operation, so every failure
 * becomes a {@link SessionStoreUnavailableError} and is logged with its cause
 * (rate-limited during an outage), and observers hear of every call.
 *
 * A store that declares it can answer at once (an `ImmediateSessionStore`,
 * such as the memory store) is called through its `…Now` methods: the
 * operations then return their result itself, and throw on failure. Any
 * other store is called through its promise methods: the operations return a
 * promise, rejected on failure.
 */
export class SessionRuntime {
  /** Signs, verifies and writes the session cookie. */
  readonly codec: SessionCookieCodec;
  /** Store lifetime of an idle session when neither `idleTimeout` nor a cookie max age applies. */
  readonly defaultIdleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  /** Expiry, idle and absolute timeouts, for the configured options. */
  readonly lifetime: SessionLifetime;
  /** Every line the session layer logs. */
  readonly log: SessionLog;
  /** Who owns each session, and the per-user index. */
  readonly owners: SessionOwners;
  private readonly observers = new Set<StoreCallObserver>();
  /** The store, when it declares that it can answer at once. */
  private readonly immediate: ImmediateSessionStore | undefined;

  constructor(
    readonly config: SessionConfig,
    readonly store: SessionStore,
    logger: LoggerService,
  ) {
    this.codec = new SessionCookieCodec(config.cookie, config.secrets);
    this.lifetime = new SessionLifetime(config, this.defaultIdleTimeoutMs);
    this.log = new SessionLog(logger);
    shareCookieSettings(store, config.cookie);
    this.immediate = isImmediateSessionStore(store) ? store : undefined;
    this.owners = this.createOwners();
  }

  /**
   * Reads a record: at once from a store that answers at once, else a promise.
   *
   * @throws SessionStoreUnavailableError when a store that answers at once fails.
   */
  get(id: string): StoredSessionRecord | undefined | Promise<StoredSessionRecord | undefined> {
    const now = this.immediate;
    if (now) return this.callAtOnce('get', () => now.getNow(id));
    const copy = this.store.getIfCached?.(id);
    if (copy !== undefined) {
      if (this.observers.size > 0) this.notify('get', performance.now(), false);
      return copy;
    }
    return this.call('get', () => this.store.get(id));
  }

  /** Creates a record (at once or a promise, as {@link get}). */
  set(id: string, record: SessionRecord, ttlMs: number): void | Promise<void> {
    const now = this.immediate;
    return now
      ? this.callAtOnce('set', () => now.setNow(id, record, ttlMs))
      : this.call('set', () => this.store.set(id, record, ttlMs));
  }

  /**
   * Writes one request's changes (at once or a promise, as {@link get}): as
   * a per-key patch when the store supports it, else as the whole record
   * (`record()` is only called then). `false` when the record is gone.
   */
  update(
    id: string,
    patch: () => SessionPatch,
    record: () => SessionRecord,
    ttlMs: number,
  ): boolean | Promise<boolean> {
    const now = this.immediate;
    if (now) return this.callAtOnce('patch', () => now.patchNow(id, patch(), ttlMs));
    const store = this.store;
    if (store.patch) return this.call('patch', () => store.patch!(id, patch(), ttlMs));
    return this.call('set', async () => {
      await store.set(id, record(), ttlMs);
      return true;
    });
  }

  /**
   * Extends a record's lifetime (at once or a promise, as {@link get});
   * `record()` is the session as it stands, called only for stores that may
   * rewrite it (never for one that answers at once).
   */
  touch(id: string, ttlMs: number, record: () => SessionRecord): void | Promise<void> {
    const now = this.immediate;
    return now
      ? this.callAtOnce('touch', () => now.touchNow(id, ttlMs))
      : this.call('touch', () => this.store.touch(id, ttlMs, record()));
  }

  /** Deletes a record. */
  destroy(id: string): Promise<void> {
    return this.call('destroy', () => this.store.destroy(id));
  }

  /** Deletes a record without waiting; a failure is only logged. */
  destroyInBackground(id: string): void {
    this.destroy(id).catch(() => undefined);
  }

  /** Runs one call on the store's per-user index (a failure becomes a `SessionStoreUnavailableError`). */
  private createOwners(): SessionOwners {
    const store = this.store;
    const users = this.config.users;
    if (!isIndexedSessionStore(store)) {
      if (users.configured) {
        throw new InvalidSessionOptionsError(
          'users',
          'needs a store that keeps a per-user index, and this store keeps none: use a nest-hive store ' +
            '(memory, cluster, Redis), or wrap an express-session store with fromExpressSessionStore(), which keeps one beside it.',
        );
      }
      return new SessionOwners(users, undefined, this.log, this.config.touchAfterMs);
    }
    const index: UserSessionIndex = store.userIndex;
    return new SessionOwners(
      users,
      {
        get: (id) => this.get(id),
        destroy: (id) => this.destroy(id),
        index: (run) => this.call('index', () => run(index)),
        isAlive: (record) => this.lifetime.standing(record, Date.now()) === 'alive',
      },
      this.log,
      this.config.touchAfterMs,
    );
  }

  /**
   * The `Secure` attribute for a cookie sent on this request, or `undefined`
   * when a cookie configured `secure: true` must not go over plain HTTP.
   */
  cookieSecurity(req: IncomingMessage): boolean | undefined {
    const configured = this.config.cookie.secure;
    const secureRequest = isSecureRequest(req, this.config.trustProxy);
    if (configured === 'auto') return secureRequest;
    if (configured && !secureRequest) {
      this.log.warnInsecureCookie();
      return undefined;
    }
    return configured;
  }

  /**
   * Calls `observer` after every store call (used by `@nest-hive/session/metrics`). Returns a
   * function that removes it. Without observers no call is timed.
   */
  observeStoreCalls(observer: StoreCallObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private async call<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    const timed = this.observers.size > 0;
    const started = timed ? performance.now() : 0;
    let result: T;
    try {
      result = await run();
    } catch (cause) {
      throw this.failed(operation, timed, started, cause);
    }
    this.succeeded(operation, timed, started);
    return result;
  }

  private callAtOnce<T>(operation: StoreOperation, run: () => T): T {
    const timed = this.observers.size > 0;
    const started = timed ? performance.now() : 0;
    let result: T;
    try {
      result = run();
    } catch (cause) {
      throw this.failed(operation, timed, started, cause);
    }
    this.succeeded(operation, timed, started);
    return result;
  }

  /** Records a failed store call; returns the error to throw. */
  private failed(
    operation: StoreOperation,
    timed: boolean,
    started: number,
    cause: unknown,
  ): SessionStoreUnavailableError {
    if (timed) this.notify(operation, started, true);
    this.log.noteStoreFailure(operation, cause);
    return new SessionStoreUnavailableError(operation, cause);
  }

  /** Records a store call that answered. */
  private succeeded(operation: StoreOperation, timed: boolean, started: number): void {
    if (timed) this.notify(operation, started, false);
    if (this.log.inOutage) this.log.noteStoreRecovery();
  }

  private notify(operation: StoreOperation, started: number, failed: boolean): void {
    const seconds = (performance.now() - started) / 1000;
    for (const observer of this.observers) observer(operation, seconds, failed);
  }
}
