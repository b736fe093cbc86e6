/**
 * The routes the session benchmarks load, in one place: cases 1, 2, 1f and 2f
 * (`npm run bench`) and their comparison between two builds (`npm run bench:compare`).
 * Both bench apps (`session-bench-app.ts`, `fastify-session-bench-app.ts`) serve them.
 */

/** Where a valid session cookie comes from: the route that writes the session. */
export const COOKIE_ROUTE = '/bench/visits';

/** A route that never uses the session. */
export const UNUSED_ROUTE = '/bench/none';

/**
 * How a route is requested: with no cookie; with a valid session cookie; with
 * no cookie on a route that then makes a new session each request, on a server
 * of its own (it fills its store with up to 100 000 sessions, and the other runs
 * are not measured on a heap that holds them); or with a session of its own
 * each request (`one-each`: a route that ends it, such as a logout), made from
 * the cookie route before each run, outside the measured time.
 */
export type RouteCookie = 'none' | 'valid' | 'new-sessions' | 'one-each';

/** One route a session case loads. */
export interface SessionBenchRoute {
  /** Short name, used to look up a target. */
  readonly key: string;
  /** What the route does, as variant and row names say it. */
  readonly label: string;
  readonly path: string;
  readonly cookie: RouteCookie;
}

/** Cases 1 and 1f: a route that never uses the session, without and with a valid cookie. */
export const SESSION_UNUSED_ROUTES = [
  { key: 'none', label: 'route that never uses the session', path: UNUSED_ROUTE, cookie: 'none' },
  {
    key: 'none-cookie',
    label: 'route that never uses the session, with cookie',
    path: UNUSED_ROUTE,
    cookie: 'valid',
  },
] as const satisfies readonly SessionBenchRoute[];

/**
 * Cases 2 and 2f: routes that use the session. Reading an existing session
 * (`/bench/read` returns `visits`), changing it (`/bench/visits`: `visits++`),
 * and a new session each request (`/bench/visits` without a cookie).
 */
export const SESSION_USING_ROUTES = [
  { key: 'read', label: 'reads an existing session', path: '/bench/read', cookie: 'valid' },
  { key: 'change', label: 'changes an existing session', path: COOKIE_ROUTE, cookie: 'valid' },
  { key: 'create', label: 'new session each request', path: COOKIE_ROUTE, cookie: 'new-sessions' },
] as const satisfies readonly SessionBenchRoute[];

/** Where the logged-in session routes get a session: a login (`owner-session-bench-app.ts`). */
export const LOGIN_ROUTE = '/bench/owner/login';

/**
 * Cases 2u and 2ur of `npm run bench:compare`: a session with an owner (the per-user index's
 * work). A login (a new session each request), a read and a change of a logged-in session, and a
 * logout (a logged-in session of its own each request).
 */
export const SESSION_OWNER_ROUTES = [
  { key: 'login', label: 'login (new session each request)', path: LOGIN_ROUTE, cookie: 'new-sessions' },
  { key: 'read', label: 'reads a logged-in session', path: '/bench/owner/read', cookie: 'valid' },
  { key: 'change', label: 'changes a logged-in session', path: '/bench/owner/visits', cookie: 'valid' },
  { key: 'logout', label: 'logout (destroy)', path: '/bench/owner/logout', cookie: 'one-each' },
] as const satisfies readonly SessionBenchRoute[];
