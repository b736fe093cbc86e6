import { Logger } from '@nestjs/common';
import { USE_COOKIE_SETTINGS, type CookieSettingsConsumer } from '../core/store-cookie-settings.js';
import type { ResolvedCookieSettings } from '../session-config.js';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { IndexedSessionStore, UserSessionIndex } from '../users/user-session-index.interface.js';
import type { BesideStore } from './beside-store.js';
import { callStore, type StoreCallback } from './callback-call.js';
import { answerHasExpired, fromExpressSession, toExpressSession } from './express-session-record.js';
import {
  ExpressSessionStoreContractError,
  type ExpressStoreOperation,
} from './express-session-store.errors.js';
import type { ExpressSessionStoreLike } from './express-session-store.interface.js';

/** Default longest wait for a store to call back. */
export const DEFAULT_EXPRESS_STORE_TIMEOUT_MS = 2_000;

/** Minimum time between two log lines about late or repeated answers. */
const LATE_LOG_INTERVAL_MS = 10_000;

/** An express-session store method, called with `this` bound to the store. */
type StoreMethod = (this: ExpressSessionStoreLike, ...args: unknown[]) => unknown;

/**
 * A `SessionStore` over an express-session store. Records go in
 * express-session's shape, `{ cookie: { originalMaxAge, expires, … }, ...data }`,
 * with the TTL as `cookie.expires`, so express-session reads them back and
 * this adapter reads what express-session wrote. Every call settles: errors,
 * throws, repeated answers and silence (after `timeoutMs`) reject, and the
 * session layer answers 503.
 *
 * The store writes whole records. A request's changes are applied to the
 * record as the store holds it just before the write (read, merge the keys
 * the request changed, write), so two requests changing different keys both
 * win unless their writes fall within one round trip of each other; then the
 * last write wins.
 *
 * No logout is undone: a destroyed session is marked in the store beside
 * ({@link BesideStore}), and a save or touch that lands after the destroy is
 * undone at once. A touch never extends a session that has expired or ended.
 */
export class ExpressSessionStoreAdapter implements IndexedSessionStore, CookieSettingsConsumer {
  /** Deletes every session, when the store has `clear`. */
  readonly clear?: () => Promise<void>;
  /** How many sessions the store holds, when it has `length`. */
  readonly length?: () => Promise<number>;

  private cookieSettings: ResolvedCookieSettings | undefined;
  private readonly logger = new Logger('ExpressSessionStore');
  private lastLateLog = 0;

  constructor(
    private readonly store: ExpressSessionStoreLike,
    private readonly timeoutMs: number,
    private readonly beside: BesideStore,
  ) {
    if (typeof store.clear === 'function') {
      this.clear = async () => {
        await this.call('clear', (callback) => this.method('clear')(callback));
      };
    }
    if (typeof store.length === 'function') {
      this.length = async () => {
        const count = await this.call('length', (callback) => this.method('length')(callback));
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
          throw new ExpressSessionStoreContractError(
            'length',
            `called back ${typeof count} instead of a count`,
          );
        }
        return count;
      };
    }
  }

  /** @inheritdoc */
  [USE_COOKIE_SETTINGS](settings: ResolvedCookieSettings): void {
    this.cookieSettings = settings;
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    const answer = await this.call('get', (callback) => this.method('get')(id, callback));
    return fromExpressSession(answer, this.cookieSettings);
  }

  /** The per-user index, kept in the store beside. */
  get userIndex(): UserSessionIndex {
    return this.beside.index;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.write(id, record, ttlMs);
    await this.undoIfEnded(id);
  }

  /**
   * Applies the request's changes to the record as the store holds it now,
   * and writes it back; `false` when the session ended or expired meanwhile
   * (nothing written, or a write that landed after a destroy, undone).
   */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    const data = { ...current.data, ...patch.set };
    for (const key of patch.unset) delete data[key];
    const cookie = patch.cookie ?? current.cookie;
    await this.write(id, { data, createdAt: current.createdAt, ...(cookie && { cookie }) }, ttlMs);
    return !(await this.undoIfEnded(id));
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    await this.beside.markEnded(id);
    await this.call('destroy', (callback) => this.method('destroy')(id, callback));
  }

  /**
   * Extends the session's lifetime, from the record as the store holds it now
   * (never one that ended or expired): the store's `touch(sid, session)` with
   * the new `cookie.expires`; a store without `touch` gets the whole session
   * again through `set`.
   */
  async touch(id: string, ttlMs: number): Promise<void> {
    const answer = await this.call('get', (callback) => this.method('get')(id, callback));
    if (answerHasExpired(answer, Date.now())) return;
    const current = fromExpressSession(answer, this.cookieSettings);
    if (!current) return;
    const session = toExpressSession(current, ttlMs, this.cookieSettings);
    if (typeof this.store.touch === 'function') {
      await this.call('touch', (callback) => this.method('touch')(id, session, callback));
    } else {
      await this.call('set', (callback) => this.method('set')(id, session, callback));
    }
    await this.undoIfEnded(id);
  }

  /** Closes the store beside, when this adapter made it. */
  async close(): Promise<void> {
    await this.beside.close();
  }

  private async write(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const session = toExpressSession(record, ttlMs, this.cookieSettings);
    await this.call('set', (callback) => this.method('set')(id, session, callback));
  }

  /** Destroys again a session that was destroyed while a write was on its way; whether it was. */
  private async undoIfEnded(id: string): Promise<boolean> {
    if (!(await this.beside.hasEnded(id))) return false;
    await this.call('destroy', (callback) => this.method('destroy')(id, callback));
    return true;
  }

  private method(name: ExpressStoreOperation): (...args: unknown[]) => unknown {
    const method = (this.store as unknown as Record<string, StoreMethod | undefined>)[name];
    if (typeof method !== 'function') {
      throw new ExpressSessionStoreContractError(name, 'is not a function');
    }
    return (...args) => method.apply(this.store, args);
  }

  private call(
    operation: ExpressStoreOperation,
    invoke: (callback: StoreCallback) => unknown,
  ): Promise<unknown> {
    return callStore(operation, invoke, this.timeoutMs, (late, what) => this.noteLateAnswer(late, what));
  }

  private noteLateAnswer(operation: ExpressStoreOperation, what: string): void {
    const now = Date.now();
    if (now - this.lastLateLog < LATE_LOG_INTERVAL_MS) return;
    this.lastLateLog = now;
    this.logger.warn(`The express-session store's ${operation}() ${what}; that answer was ignored.`);
  }
}
