import { Injectable } from '@nestjs/common';
import { requestSessionOf } from './core/request-session.lookup.js';
import type { Session, SessionData } from './session.interfaces.js';

/**
 * Reaches the session from guards, interceptors and services.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class LoggedInGuard implements CanActivate {
 *   constructor(private readonly sessions: SessionService) {}
 *   async canActivate(context: ExecutionContext): Promise<boolean> {
 *     const session = await this.sessions.get(context.switchToHttp().getRequest());
 *     return session.user !== undefined;
 *   }
 * }
 * ```
 */
@Injectable()
export class SessionService {
  /**
   * Loads the request's session (once per request; later calls share it).
   * Reads the store only when the request carries a valid session cookie.
   *
   * @throws SessionNotAvailableError when the session middleware does not cover the route.
   * @throws SessionStoreUnavailableError when the store fails (answered with 503).
   */
  get<T extends object = SessionData>(req: unknown): Promise<Session<T>> {
    return requestSessionOf(req).load(req) as Promise<Session<T>>;
  }

  /** The request's session if something already loaded it, without loading it. */
  peek<T extends object = SessionData>(req: unknown): Session<T> | undefined {
    return requestSessionOf(req).peek() as Session<T> | undefined;
  }
}
