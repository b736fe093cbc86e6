import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestSessionOf } from '../core/request-session.lookup.js';
import type { Session as SessionType, SessionData } from '../session.interfaces.js';

const sessionParam = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SessionType | Promise<SessionType> => {
    const request: unknown = context.switchToHttp().getRequest();
    // The session itself when it is there at once: Nest then awaits nothing before the handler.
    return requestSessionOf(request).loadNow(request);
  },
);

/**
 * Injects the request's session, typed as `Session<T>` (by default the
 * augmented `SessionData`). Only handlers that declare it read the store.
 *
 * @example
 * ```ts
 * @Get('visits')
 * visits(@Session() session: Session) {
 *   session.visits = (session.visits ?? 0) + 1;
 *   return { visits: session.visits };
 * }
 * ```
 */
export function Session(): ParameterDecorator {
  return sessionParam();
}

/**
 * A request's session: the data keys as properties plus the session API.
 * The same name as the decorator, so `@Session() session: Session` reads
 * naturally.
 *
 * @typeParam T - the data shape; defaults to the augmented `SessionData`.
 */
export type Session<T extends object = SessionData> = SessionType<T>;
