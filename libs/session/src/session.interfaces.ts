/**
 * The data an application keeps in its sessions. Augment it to type
 * `@Session()` everywhere at once.
 *
 * @example
 * ```ts
 * declare module '@nest-hive/session' {
 *   interface SessionData {
 *     user?: string;
 *     visits?: number;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

/** Cookie settings of one session that a handler may change. */
export interface SessionCookie {
  /**
   * Lifetime of the cookie in milliseconds from now, or `null` for a
   * browser-session cookie. Setting it marks the cookie to be sent again with
   * a new `Expires`, and is remembered for the session's later responses.
   */
  maxAge: number | null;
  /** When the cookie sent with this response expires, if it is persistent. */
  readonly expires: Date | undefined;
}

/** Options of {@link SessionApi.regenerate}. */
export interface RegenerateOptions {
  /** Carry the current data over to the new session id. Default `false`. */
  keepData?: boolean;
}

/**
 * A Node-style callback the session methods accept besides returning a
 * promise, as express-session's do (Passport calls `regenerate(cb)` and
 * `save(cb)`): called once, never synchronously, with no argument on success
 * or with the error.
 */
export type SessionCallback = (error?: Error) => void;

/**
 * Methods and read-only fields every session has. None of them is enumerable
 * or stored, and data keys can never overwrite them.
 *
 * Every method returns a promise and also takes an optional
 * {@link SessionCallback}; with a callback, a failure goes to the callback
 * and never becomes an unhandled rejection.
 */
export interface SessionApi {
  /** The session id (never logged by the library). */
  readonly id: string;
  /** `true` while the session has not been saved to the store. */
  readonly isNew: boolean;
  /** Cookie settings of this session. */
  readonly cookie: SessionCookie;
  /**
   * Issues a new id and deletes the old store entry at once, so the old
   * cookie loads nothing anywhere. Call it on login (session fixation).
   *
   * `req.session` then holds a new object, as with express-session: an
   * object read from `req.session` before keeps the old data (Passport's
   * `keepSessionInfo` copies it over), while the object `@Session()` and
   * `SessionService.get()` return always follows the request's current
   * session.
   */
  regenerate(options?: RegenerateOptions): Promise<void>;
  regenerate(callback: SessionCallback): Promise<void>;
  regenerate(options: RegenerateOptions | undefined, callback: SessionCallback): Promise<void>;
  /** Deletes the store entry and expires the cookie. The session is new (and empty) afterwards. */
  destroy(callback?: SessionCallback): Promise<void>;
  /** Writes pending changes now instead of just before the response. */
  save(callback?: SessionCallback): Promise<void>;
  /** Discards unsaved changes and reads the session again from the store. */
  reload(callback?: SessionCallback): Promise<void>;
  /** Extends the store entry's idle lifetime without changing its data. */
  touch(callback?: SessionCallback): Promise<void>;
}

/** Names that data keys may not use. */
export type ReservedSessionKey = keyof SessionApi | 'then';

/**
 * A request's session: the application's data as properties, plus the
 * {@link SessionApi}. Obtain it with the `@Session()` parameter decorator or
 * `SessionService.get(req)`.
 *
 * @typeParam T - the data shape; defaults to the augmented {@link SessionData}.
 */
export type Session<T extends object = SessionData> = SessionDataKeys<T> & SessionApi;

/** `T` without the reserved names, keeping its optional markers and index signatures. */
export type SessionDataKeys<T extends object> = {
  [K in keyof T as K extends ReservedSessionKey ? never : K]: T[K];
};
