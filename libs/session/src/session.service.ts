import { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { loadHandshakeSession } from './core/handshake-session.js';
import { requestSessionOf } from './core/request-session.lookup.js';
import { SessionRuntime } from './core/session-runtime.js';
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
  /** @param runtime - the module's runtime (config, store, cookie codec). */
  constructor(private readonly runtime: SessionRuntime) {}

  /**
   * The session of a WebSocket connection, read afresh from the store through the cookie of its
   * handshake request (`client.request` in a socket.io gateway), with the same signature, expiry
   * and absolute-timeout checks as HTTP requests. `undefined` when the cookie is missing, forged or
   * expired, or the session ended (a logout over HTTP shows at the next call). Each call reads
   * the store once; changes are written by `await session.save()`. A handshake cannot set a
   * cookie, so no session is created here and `regenerate()` rejects with `HandshakeSessionError`;
   * `destroy()` works.
   *
   * @throws TypeError when `request` is not a Node request.
   * @throws SessionStoreUnavailableError when the store fails.
   * @example
   * ```ts
   * @SubscribeMessage('chat')
   * async chat(@ConnectedSocket() client: Socket, @MessageBody() body: { text: string }) {
   *   const session = await this.sessions.fromHandshake<{ user?: string }>(client.request);
   *   return { event: 'chat', data: { text: body.text, user: session?.user ?? null } };
   * }
   * ```
   */
  fromHandshake<T extends object = SessionData>(request: unknown): Promise<Session<T> | undefined> {
    if (!(request instanceof IncomingMessage)) {
      return Promise.reject(
        new TypeError('SessionService.fromHandshake() takes the Node handshake request (client.request).'),
      );
    }
    return loadHandshakeSession(this.runtime, request) as Promise<Session<T> | undefined>;
  }

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
