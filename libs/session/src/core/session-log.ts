import type { LoggerService } from '@nestjs/common';
import { SessionStoreUnavailableError } from '../session.errors.js';
import type { CookieRejection } from './session-cookie.codec.js';

/** Minimum time between two log lines about the same store outage. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/** A store operation, as named in {@link SessionStoreUnavailableError}. */
export type StoreOperation = SessionStoreUnavailableError['operation'];

/**
 * Every line the session layer logs, in one place: the warnings given once
 * per module, the store outage (its first failure, then at most one line per
 * {@link OUTAGE_LOG_INTERVAL_MS}, and the recovery), and the failures the
 * client hears of as error responses. Session ids and secrets are never logged.
 */
export class SessionLog {
  /** The warnings given once per module that were given. */
  private readonly warned = new Set<'insecure' | 'late' | 'detached' | 'owner'>();
  private outageSince: number | undefined;
  private outageFailures = 0;
  private lastOutageLog = 0;

  /** @param logger - where the lines go (the module's `Logger('SessionModule')`). */
  constructor(private readonly logger: LoggerService) {}

  /** Whether the store is failing: its last call failed. */
  get inOutage(): boolean {
    return this.outageSince !== undefined;
  }

  /** Warns once that a `secure: true` cookie was withheld from a plain-HTTP request. */
  warnInsecureCookie(): void {
    this.warnOnce(
      'insecure',
      'A session cookie configured with `secure: true` was not sent because the request came over plain HTTP. ' +
        "Serve over HTTPS, set `trustProxy: true` behind a TLS-terminating proxy, or use `secure: 'auto'`.",
    );
  }

  /** Notes a rejected cookie (debug level, without its value). */
  noteRejectedCookie(reason: CookieRejection): void {
    this.logger.verbose?.(`Ignored a session cookie (${reason}); the request gets a new session.`);
  }

  /** Logs a failed commit; the client gets an error response. */
  reportCommitFailure(error: unknown): void {
    if (error instanceof SessionStoreUnavailableError) return; // logged where the store failed
    this.error('Session not saved', error);
  }

  /** Warns once that a new session was saved after the response headers went out, so no cookie reached the client. */
  warnLateNewSession(): void {
    this.warnOnce(
      'late',
      'A new session was first written after the response headers were sent, so its cookie could not be set. ' +
        'Write to the session (or call `await session.save()`) before streaming the response.',
    );
  }

  /** Warns once that code changed a session object that `regenerate()` had replaced. */
  warnDetachedWrite(): void {
    this.warnOnce(
      'detached',
      'A session object was changed after regenerate() or destroy() replaced it, so the change is not saved. ' +
        'Read `req.session` again after regenerating, or use the object `@Session()` / `SessionService.get()` return, which follows the current session.',
    );
  }

  /** Logs an error thrown by a callback passed to a session method (the process goes on). */
  reportCallbackFailure(method: string, error: unknown): void {
    this.error(`The callback passed to session.${method}() threw`, error);
  }

  /** Logs a session that could not be loaded before the route ran (eager loading); the client gets an error response. */
  reportLoadFailure(error: unknown): void {
    if (error instanceof SessionStoreUnavailableError) return; // logged where the store failed
    this.error('Session not loaded', error);
  }

  /** Logs that a request's changes were dropped because its session ended meanwhile. */
  warnEndedElsewhere(): void {
    this.logger.warn(
      'A session was destroyed or expired by another request while this request changed it; its changes were dropped.',
    );
  }

  /** Notes a failed store call: logged at once for the first failure of an outage, then rate-limited. */
  noteStoreFailure(operation: StoreOperation, cause: unknown): void {
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

  /** Notes that the store answered during an outage (see {@link inOutage}): the outage is over. */
  noteStoreRecovery(): void {
    const seconds = ((Date.now() - (this.outageSince ?? Date.now())) / 1000).toFixed(1);
    this.logger.log(
      `Session store answering again after ${seconds}s and ${this.outageFailures} failed call(s).`,
    );
    this.outageSince = undefined;
    this.outageFailures = 0;
  }

  /**
   * Logs once that `users.userOf` gave something other than a string or a
   * number (or threw): such sessions are not indexed by user.
   */
  warnUnusableOwner(error: unknown): void {
    const why =
      error === undefined
        ? 'gave neither a string nor a number'
        : `threw (${error instanceof Error ? error.message : typeof error})`;
    this.warnOnce(
      'owner',
      `users.userOf ${why} for a session being saved: it is not indexed by user, so UserSessions cannot list or revoke it. ` +
        'Make userOf return the user id as a string or a number (Passport: serializeUser should give the id).',
    );
  }

  private warnOnce(key: 'insecure' | 'late' | 'detached' | 'owner', message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }

  /** Logs `prefix: <the error's message>` with its stack. */
  private error(prefix: string, error: unknown): void {
    this.logger.error(
      `${prefix}: ${error instanceof Error ? error.message : String(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }
}
