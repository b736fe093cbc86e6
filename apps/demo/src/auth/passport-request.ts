import type { Request } from 'express';

/**
 * The request Passport's own middleware worked on. `passport.initialize()` and `passport.session()`
 * are middleware: on Fastify they get the Node request (`request.raw`), and put `req.user`,
 * `req.isAuthenticated()` and `req.logout()` there, not on the Fastify request Nest hands to
 * guards and handlers. On Express both are the same object.
 */
export function passportRequest(request: unknown): Request {
  const raw: unknown =
    typeof request === 'object' && request !== null ? Reflect.get(request, 'raw') : undefined;
  return (typeof raw === 'object' && raw !== null ? raw : request) as Request;
}
