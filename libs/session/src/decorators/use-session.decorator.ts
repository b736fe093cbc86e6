import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { USE_SESSION_METADATA } from '../session.constants.js';
import { SessionLoadInterceptor } from './session-load.interceptor.js';

/**
 * Loads the session before the handler runs, for handlers (or whole
 * controllers) whose code reaches it some other way than `@Session()`: a
 * service reading `req.session`, or Nest's own `@Session()` from
 * `@nestjs/common`.
 *
 * @example
 * ```ts
 * @UseSession()
 * @Get('me')
 * me(@Req() req: { session: Session }) {
 *   return { user: req.session.user ?? null };
 * }
 * ```
 */
export function UseSession(): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(USE_SESSION_METADATA, true), UseInterceptors(SessionLoadInterceptor));
}
