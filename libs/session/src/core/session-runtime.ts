import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../session.constants.js';
import { SessionStoreUnavailableError } from '../session.errors.js';
import type { SessionConfig } from '../session-config.js';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import { isSecureRequest } from './request-security.js';
import { SessionCookieCodec, type CookieRejection } from './session-cookie.codec.js';
import { shareCookieSettings } from './store-cookie-settings.js';
import { immediateOperationsOf, type ImmediateStoreOperations } from '../stores/memory-session.store.js';

/** Store operations the runtime wraps. */
export type StoreOperation = SessionStoreUnavailableError['operation'];

/** Told of every store call the runtime makes: its operation, duration in seconds, and outcome. */
export type StoreCallObserver = (operation: StoreOperation, seconds: number, failed: boolean) => void;

/** Minimum time between two log lines about the same store outage. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * Everything one `SessionModule` shares between its requests: the resolved
 * config, the store, the cookie codec and the logger. Store calls go through
 * here, so every failure becomes a {@link SessionStoreUnavailableError} and is
 * logged with its cause (rate-limited during an outage). Session ids and
 * secrets are never logged.
 */
export class SessionRuntime {
  /** Signs, verifies and writes the session cookie. */
  readonly codec: SessionCookieCodec;
  /** Store lifetime of an idle session when neither `idleTimeout` nor a cookie max age applies. */
  readonly defaultIdleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  private warnedInsecure = false;
  private warnedLate = false;
  private warnedDetached = false;
  private outageSince: number | undefined;
  private outageFailures = 0;
  private lastOutageLog = 0;
  private readonly observers = new Set<StoreCallObserver>();
  /** The store's operations without promises, when it can answer at once (the memory store). */
  private readonly atOnce: ImmediateStoreOperations | undefined;

  constructor(
    readonly config: SessionConfig,
    readonly store: SessionStore,
    private readonly logger: LoggerService,
  ) {
    this.codec = new SessionCookieCodec(config.cookie, config.secrets);
    shareCookieSettings(store, config.cookie);
    this.atOnce = immediateOperationsOf(store);
  }

  /** Reads a record. */
  get(id: string): Promise<StoredSessionRecord | undefined> {
    return this.call('get', () => this.store.get(id));
  }

  /**
   * The `…Now` methods do what their namesakes do, at once when the store can
   * answer without waiting (the memory store), else through the promise.
   * Failures are handled as for every store call; at once, they are thrown.
   *
   * @throws SessionStoreUnavailableError when the store fails at once.
   */
  getNow(id: string): StoredSessionRecord | undefined | Promise<StoredSessionRecord | undefined> {
    const ops = this.atOnce;
    return ops ? this.callAtOnce('get', () => ops.get(id)) : this.get(id);
  }

  /** {@link set}, at once when the store can (see {@link getNow}). */
  setNow(id: string, record: SessionRecord, ttlMs: number): void | Promise<void> {
    const ops = this.atOnce;
    return ops ? this.callAtOnce('set', () => ops.set(id, record, ttlMs)) : this.set(id, record, ttlMs);
  }

  /** {@link update}, at once when the store can (see {@link getNow}). */
  updateNow(
    id: string,
    patch: () => SessionPatch,
    record: () => SessionRecord,
    ttlMs: number,
  ): boolean | Promise<boolean> {
    const ops = this.atOnce;
    if (!ops) return this.update(id, patch, record, ttlMs);
    return this.callAtOnce('patch', () => ops.patch(id, patch(), ttlMs));
  }

  /** {@link touch}, at once when the store can (see {@link getNow}); `record()` is only called for other stores. */
  touchNow(id: string, ttlMs: number, record: () => SessionRecord): void | Promise<void> {
    const ops = this.atOnce;
    return ops ? this.callAtOnce('touch', () => ops.touch(id, ttlMs)) : this.touch(id, ttlMs, record());
  }

  /** Creates a record. */
  set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    return this.call('set', () => this.store.set(id, record, ttlMs));
  }

  /**
   * Writes one request's changes: as a per-key patch when the store supports
   * it, else as the whole record (`record()` is only called then). Resolves
   * `false` when the record is gone.
   */
  update(
    id: string,
    patch: () => SessionPatch,
    record: () => SessionRecord,
    ttlMs: number,
  ): Promise<boolean> {
    const store = this.store;
    if (store.patch) return this.call('patch', () => store.patch!(id, patch(), ttlMs));
    return this.call('set', async () => {
      await store.set(id, record(), ttlMs);
      return true;
    });
  }

  /** Deletes a record. */
  destroy(id: string): Promise<void> {
    return this.call('destroy', () => this.store.destroy(id));
  }

  /** Deletes a record without waiting; a failure is only logged. */
  destroyInBackground(id: string): void {
    this.destroy(id).catch(() => undefined);
  }

  /** Extends a record's lifetime; `record` is the session as it stands, for stores that rewrite it. */
  touch(id: string, ttlMs: number, record: SessionRecord): Promise<void> {
    return this.call('touch', () => this.store.touch(id, ttlMs, record));
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
      if (!this.warnedInsecure) {
        this.warnedInsecure = true;
        this.logger.warn(
          'A session cookie configured with `secure: true` was not sent because the request came over plain HTTP. ' +
            "Serve over HTTPS, set `trustProxy: true` behind a TLS-terminating proxy, or use `secure: 'auto'`.",
        );
      }
      return undefined;
    }
    return configured;
  }

  /** Notes a rejected cookie (debug level, without its value). */
  noteRejectedCookie(reason: CookieRejection): void {
    this.logger.verbose?.(`Ignored a session cookie (${reason}); the request gets a new session.`);
  }

  /** Logs a failed commit; the client gets an error response. */
  reportCommitFailure(error: unknown): void {
    if (error instanceof SessionStoreUnavailableError) return; // logged where the store failed
    this.logger.error(
      `Session not saved: ${error instanceof Error ? error.message : String(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }

  /** Warns once that a new session was saved after the response headers went out, so no cookie reached the client. */
  warnLateNewSession(): void {
    if (this.warnedLate) return;
    this.warnedLate = true;
    this.logger.warn(
      'A new session was first written after the response headers were sent, so its cookie could not be set. ' +
        'Write to the session (or call `await session.save()`) before streaming the response.',
    );
  }

  /** Warns once that code changed a session object that `regenerate()` had replaced. */
  warnDetachedWrite(): void {
    if (this.warnedDetached) return;
    this.warnedDetached = true;
    this.logger.warn(
      'A session object was changed after regenerate() or destroy() replaced it, so the change is not saved. ' +
        'Read `req.session` again after regenerating, or use the object `@Session()` / `SessionService.get()` return, which follows the current session.',
    );
  }

  /** Logs an error thrown by a callback passed to a session method (the process goes on). */
  reportCallbackFailure(method: string, error: unknown): void {
    this.logger.error(
      `The callback passed to session.${method}() threw: ${error instanceof Error ? error.message : String(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }

  /** Logs a session that could not be loaded before the route ran (eager loading); the client gets an error response. */
  reportLoadFailure(error: unknown): void {
    if (error instanceof SessionStoreUnavailableError) return; // logged where the store failed
    this.logger.error(
      `Session not loaded: ${error instanceof Error ? error.message : String(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }

  /** Logs that a request's changes were dropped because its session ended meanwhile. */
  warnEndedElsewhere(): void {
    this.logger.warn(
      'A session was destroyed or expired by another request while this request changed it; its changes were dropped.',
    );
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
    this.noteOutage(operation, cause);
    return new SessionStoreUnavailableError(operation, cause);
  }

  /** Records a store call that answered. */
  private succeeded(operation: StoreOperation, timed: boolean, started: number): void {
    if (timed) this.notify(operation, started, false);
    if (this.outageSince !== undefined) this.noteRecovery();
  }

  private notify(operation: StoreOperation, started: number, failed: boolean): void {
    const seconds = (performance.now() - started) / 1000;
    for (const observer of this.observers) observer(operation, seconds, failed);
  }

  private noteOutage(operation: StoreOperation, cause: unknown): void {
    const now = Date.now();
    this.outageFailures++;
    if (this.outageSince === undefined) this.outageSince = now;
    else if (now - this.lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLog = now;
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    this.logger.error(
      `Session store ${operation} failed (${this.outageFailures} failure(s) so far); requests that need the session get 503. Cause: ${reason}`,
      cause instanceof Error ? cause.stack : undefined,
    );
  }

  private noteRecovery(): void {
    const seconds = ((Date.now() - (this.outageSince ?? Date.now())) / 1000).toFixed(1);
    this.logger.log(
      `Session store answering again after ${seconds}s and ${this.outageFailures} failed call(s).`,
    );
    this.outageSince = undefined;
    this.outageFailures = 0;
  }
}
