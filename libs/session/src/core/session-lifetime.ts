import type { SessionConfig } from '../session-config.js';
import type { StoredSessionRecord } from '../session-record.interface.js';

/** The lifetime options {@link SessionLifetime} needs. */
export type LifetimeConfig = Pick<SessionConfig, 'idleTimeoutMs' | 'absoluteTimeoutMs' | 'touchAfterMs'> & {
  readonly cookie: Pick<SessionConfig['cookie'], 'maxAge'>;
};

/** Whether a stored record may be used: alive, expired, or past the absolute timeout (to be destroyed). */
export type RecordStanding = 'alive' | 'expired' | 'timed-out';

/**
 * The expiry arithmetic of sessions, for one module's options: how long a
 * record lives in the store (idle timeout), when it must end whatever
 * happens (absolute timeout), when a touch is due, and when the cookie
 * expires. Pure: it holds only the options, and every time is passed in.
 *
 * A session's own numbers are `createdAt` (epoch ms of its first save, `0`
 * when unsaved), `expiresAt` (epoch ms its record expires) and `storedMaxAge`
 * (the cookie lifetime the session carries, `undefined` when it follows the
 * options).
 */
export class SessionLifetime {
  /**
   * @param config - the resolved options.
   * @param defaultIdleTimeoutMs - the store lifetime when neither `idleTimeout` nor a cookie max age applies.
   */
  constructor(
    private readonly config: LifetimeConfig,
    private readonly defaultIdleTimeoutMs: number,
  ) {}

  /** Whether `record` may be used at `now`. */
  standing(record: StoredSessionRecord, now: number): RecordStanding {
    if (record.expiresAt <= now) return 'expired';
    const absolute = this.config.absoluteTimeoutMs;
    return absolute !== undefined && record.createdAt + absolute <= now ? 'timed-out' : 'alive';
  }

  /** The cookie lifetime in force: the session's own, else the configured one (`null`: a browser-session cookie). */
  maxAge(storedMaxAge: number | null | undefined): number | null {
    return storedMaxAge !== undefined ? storedMaxAge : this.config.cookie.maxAge;
  }

  /** How long an idle session lives in the store. */
  idleTtl(storedMaxAge: number | null | undefined): number {
    return this.config.idleTimeoutMs ?? this.maxAge(storedMaxAge) ?? this.defaultIdleTimeoutMs;
  }

  /** Epoch ms when the session must end whatever happens (an unsaved one counts from `now`). */
  absoluteDeadline(createdAt: number, now: number): number {
    const absolute = this.config.absoluteTimeoutMs;
    return absolute === undefined ? Number.POSITIVE_INFINITY : (createdAt || now) + absolute;
  }

  /** The store lifetime to give the record when it is written at `now`: at least 1 ms. */
  ttl(createdAt: number, storedMaxAge: number | null | undefined, now: number): number {
    return Math.max(1, Math.min(this.idleTtl(storedMaxAge), this.absoluteDeadline(createdAt, now) - now));
  }

  /** Whether an unchanged saved session is due a touch at `now` (renewed `touchAfter` ago or more, and not past its deadline). */
  touchIsDue(
    createdAt: number,
    expiresAt: number,
    storedMaxAge: number | null | undefined,
    now: number,
  ): boolean {
    const lastRenewal = expiresAt - this.idleTtl(storedMaxAge);
    return now - lastRenewal >= this.config.touchAfterMs && this.absoluteDeadline(createdAt, now) > now;
  }

  /** When the cookie sent at `now` expires: `undefined` for a browser-session cookie. */
  cookieExpiry(createdAt: number, storedMaxAge: number | null | undefined, now: number): Date | undefined {
    const maxAge = this.maxAge(storedMaxAge);
    if (maxAge === null) return undefined;
    return new Date(Math.min(now + maxAge, this.absoluteDeadline(createdAt, now)));
  }
}
