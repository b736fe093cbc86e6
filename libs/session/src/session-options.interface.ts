import type { IncomingMessage } from 'node:http';
import type { Type } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces/middleware/middleware-configuration.interface.js';
import type { SessionStore } from './session-store.interface.js';
import type { SessionPersistenceOptions } from './stores/file/file-session-store.options.js';
import type { MemorySessionStoreOptions } from './stores/memory-session-store.options.js';
import type { UserSessionsOptions } from './users/user-sessions.options.js';

/** `SameSite` attribute values. */
export type SameSiteOption = 'lax' | 'strict' | 'none';

/**
 * How the session id is written in the cookie value:
 * - `'nest-hive'`: `<id>.<signature>`;
 * - `'express-session'`: `s:<id>.<signature>`, express-session's signed
 *   cookie, so that sessions carry over between an express-session app and
 *   this one (same name, secret and store).
 *
 * The signature is the same in both: HMAC-SHA256 as `cookie-signature`
 * makes it, the first secret signing and every secret verifying.
 */
export type SessionCookieFormat = 'nest-hive' | 'express-session';

/** Routes that load the session eagerly, in Nest's `MiddlewareConsumer` syntax. */
export interface SessionEagerRoutes {
  /** Routes (paths, `RouteInfo`s or controllers) that load the session before middleware and guards. */
  forRoutes: Array<string | RouteInfo | Type<unknown>>;
  /** Routes among them that stay lazy. */
  exclude?: Array<string | RouteInfo>;
}

/** Settings of the session cookie. */
export interface SessionCookieOptions {
  /** `Path` attribute. Default `'/'`. */
  path?: string;
  /** `Domain` attribute. Default: none (host-only cookie). */
  domain?: string;
  /** `HttpOnly` attribute. Default `true`. */
  httpOnly?: boolean;
  /** `SameSite` attribute. Default `'lax'`. */
  sameSite?: SameSiteOption | false;
  /**
   * `Secure` attribute. `'auto'` (the default) marks the cookie secure when
   * the request came over HTTPS, reading `X-Forwarded-Proto` only when
   * `trustProxy` is on. With `true`, the cookie is not sent over plain HTTP
   * and a warning is logged once.
   */
  secure?: boolean | 'auto';
  /**
   * Cookie lifetime in milliseconds. Default: none, a browser-session cookie.
   * A handler can change it per session through `session.cookie.maxAge`.
   */
  maxAge?: number;
  /** `Partitioned` attribute (CHIPS). Needs a secure cookie. Default `false`. */
  partitioned?: boolean;
  /** `Priority` attribute. */
  priority?: 'low' | 'medium' | 'high';
  /**
   * Cookie value format. Default `'nest-hive'`; `'express-session'` reads and
   * writes express-session's `s:`-prefixed cookies (see {@link SessionCookieFormat}).
   */
  format?: SessionCookieFormat;
}

/** Options of `SessionModule.forRoot()` / `forRootAsync()`. */
export interface SessionModuleOptions {
  /**
   * Secret(s) that sign the session cookie: each at least 32 characters. The
   * first signs; every one verifies, so a new secret can be put first while
   * old cookies stay valid until the old secret is removed.
   */
  secret: string | string[];
  /** Cookie name. Default `'sid'`. */
  name?: string;
  /** Cookie settings. */
  cookie?: SessionCookieOptions;
  /**
   * Send the cookie again (with a fresh expiry) on every request that uses an
   * existing session. Default `false`.
   */
  rolling?: boolean;
  /**
   * How long (ms) an unchanged session may go after its last save or touch
   * before a request that uses it extends its store lifetime again. Capped at
   * half the idle timeout. Default `60_000`.
   */
  touchAfter?: number;
  /**
   * Store lifetime (ms) of a session nobody uses. Default: `cookie.maxAge`,
   * or 24 hours.
   */
  idleTimeout?: number;
  /**
   * Hard lifetime (ms) of a session since it was created, however active it
   * is. Default: none.
   */
  absoluteTimeout?: number;
  /**
   * Makes a new session id. Ids must be 16–128 characters of `A-Z a-z 0-9 _ -`.
   * Default: 192 random bits from `crypto`, base64url-encoded.
   */
  genid?: (req: IncomingMessage) => string | Promise<string>;
  /** Trust `X-Forwarded-Proto` from a reverse proxy. Default `false`. */
  trustProxy?: boolean;
  /**
   * The store. Default: a `MemorySessionStore`, or under `bootstrapCluster`
   * with several workers the store shared through the primary, which keeps
   * the sessions in a file (see {@link persistence}).
   */
  store?: SessionStore;
  /** Memory settings of the default store (`maxSessions`, `sweepIntervalMs`). */
  memoryStore?: MemorySessionStoreOptions;
  /**
   * Where the default store under `bootstrapCluster` keeps the sessions on
   * disk (the primary holds them in a `FileSessionStore`), so that they
   * survive a restart of the whole cluster and `kill -9`. `false` keeps them
   * in the primary's memory only. Ignored when `store` is given, and in one
   * process (pass `store: new FileSessionStore({ path })` there). Default
   * `{ path: '.nest-hive/sessions.db' }`, relative to the working directory.
   */
  persistence?: SessionPersistenceOptions | false;
  /**
   * Largest serialized session (bytes of JSON) a request may save. A larger
   * session is refused with `SessionTooLargeError`. Default 128 KiB.
   */
  maxSessionBytes?: number;
  /**
   * Load the session before anything else handles the request, as
   * express-session does, so that Express middleware (`passport.session()`)
   * and guards (`AuthGuard`) find `req.session` in place. Default `false`:
   * lazy, the store is read only when a handler asks for the session.
   *
   * - `true`: every route the session middleware covers. Mounted when the
   *   application is created, before middleware added with `app.use()` in
   *   `main.ts`, so `app.use(passport.session())` works as with
   *   express-session.
   * - `{ forRoutes, exclude }`: only these routes (Nest's `MiddlewareConsumer`
   *   syntax); every other route stays lazy and free. Mount middleware that
   *   needs `req.session` on them through a `MiddlewareConsumer` as well.
   *
   * An eager route reads the store on every request that carries a valid
   * session cookie, used or not.
   */
  eager?: boolean | SessionEagerRoutes;
  /** Routes that get the session middleware. Default: every route. */
  forRoutes?: Array<string | RouteInfo | Type<unknown>>;
  /** Routes excluded from the session middleware. */
  exclude?: Array<string | RouteInfo>;
  /**
   * Who owns each session, for `UserSessions` and the cap per user. Default:
   * Passport's `passport.user`, no cap. Setting it needs a store with a
   * per-user index (every nest-hive store has one; `fromExpressSessionStore`
   * keeps one beside): start-up fails otherwise.
   */
  users?: UserSessionsOptions;
}
