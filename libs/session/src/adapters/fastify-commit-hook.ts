import { BODY_HEADERS, ERROR_CONTENT_TYPE, errorResponseOf } from '../core/error-response.js';
import { madeRequestSessionOf } from '../core/request-session.lookup.js';
import type { HeaderTarget } from '../core/set-cookie-header.js';

/** The part of a Fastify reply the hook uses (no import of `fastify`: it is not a dependency). */
interface FastifyReplyLike {
  code(status: number): unknown;
  getHeader(name: string): unknown;
  header(name: string, value: unknown): unknown;
  removeHeader(name: string): unknown;
}

type OnSendDone = (error: Error | null, payload?: unknown) => void;

/** The part of a Fastify instance the hook needs. */
interface FastifyHooking {
  addHook(
    name: 'onSend',
    hook: (request: { raw: unknown }, reply: FastifyReplyLike, payload: unknown, done: OnSendDone) => void,
  ): unknown;
}

/** Fastify instances that commit sessions in their `onSend` hook. */
const hooked = new WeakSet<object>();

/**
 * Commits the session of every reply sent with `reply.send()` in Fastify's own
 * `onSend` hook, before Fastify writes the head: the store write is awaited
 * there, and the Set-Cookie goes on the reply with the headers Fastify sends
 * (so `reply.setCookie()`, `reply.header()` and the session's cookie all
 * arrive). A failed save replaces the reply with the error response, as
 * Nest's exception filter would answer it (503 when the store is
 * unavailable). Replies that bypass `reply.send()` (a hijacked reply, SSE,
 * writes to `reply.raw`) are still held by the response hook.
 *
 * Runs once per instance, before the application starts.
 *
 * @returns whether the instance has the hook (`false` when it is not a Fastify instance).
 */
export function addFastifyCommitHook(instance: unknown): boolean {
  if (!isHookable(instance)) return false;
  if (hooked.has(instance)) return true;
  instance.addHook('onSend', (request, reply, payload, done) => {
    const slot = madeRequestSessionOf(request.raw);
    const pending = slot?.commitForReply(replyHeaderTarget(reply));
    if (!pending) return done(null, payload);
    pending.then(
      () => done(null, payload),
      (error: unknown) => {
        slot?.commitFailed(error);
        done(null, replaceWithError(reply, payload, error));
      },
    );
  });
  hooked.add(instance);
  return true;
}

/** Sets a Set-Cookie on the reply's own headers, which Fastify passes to `writeHead`. */
function replyHeaderTarget(reply: FastifyReplyLike): HeaderTarget {
  return {
    // The reply's value, else the Node response's (a middleware's cookie): both are kept.
    getHeader: (name) => reply.getHeader(name),
    setHeader: (name, value) => {
      if (reply.getHeader(name) !== undefined) reply.removeHeader(name);
      reply.header(name, value);
    },
  };
}

/** Turns the reply into the error response for `error`; returns its payload. */
function replaceWithError(reply: FastifyReplyLike, payload: unknown, error: unknown): string {
  const { status, body } = errorResponseOf(error);
  for (const header of BODY_HEADERS) reply.removeHeader(header);
  reply.code(status);
  reply.header('content-type', ERROR_CONTENT_TYPE);
  // A stream the reply would have sent is never read now.
  if (isDestroyable(payload)) payload.destroy();
  return body;
}

function isDestroyable(value: unknown): value is { destroy(): void } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { destroy?: unknown }).destroy === 'function' &&
    typeof (value as { pipe?: unknown }).pipe === 'function'
  );
}

function isHookable(instance: unknown): instance is FastifyHooking {
  return (
    typeof instance === 'object' &&
    instance !== null &&
    typeof (instance as Partial<FastifyHooking>).addHook === 'function'
  );
}
