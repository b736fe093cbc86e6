import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Node HTTP(S) server, as far as a `'request'` listener needs it. */
interface RequestEmitter {
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  off(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
}

/**
 * Runs `handler` on the Node request and response of every request `server`
 * receives, before the framework sees the request (a listener prepended to
 * the server's `'request'` event): so before every hook and middleware,
 * including those `main.ts` adds with `app.use()`, and before Express swaps
 * the request's prototype. Middleware would cost several microseconds a
 * request even when it does next to nothing (`@fastify/middie`, a layer of
 * Express's router).
 *
 * @returns a function that removes the listener, or `undefined` when `server` is not such a server.
 */
export function onEveryRequest(
  server: unknown,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): (() => void) | undefined {
  if (typeof server !== 'object' || server === null) return undefined;
  const emitter = server as Partial<RequestEmitter>;
  if (typeof emitter.prependListener !== 'function' || typeof emitter.off !== 'function') return undefined;
  emitter.prependListener('request', handler);
  return () => emitter.off?.('request', handler);
}
