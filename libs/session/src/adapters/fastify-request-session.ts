import { RequestSessionDecoratedError } from '../session.errors.js';

/** The part of a Fastify instance this file uses (no import of `fastify`: it is not a dependency). */
interface FastifyRequestDecorating {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, property: { getter(): unknown; setter(value: unknown): void }): unknown;
}

/** A Fastify request: the Node request is its `raw`. */
interface FastifyRequestLike {
  readonly raw: { session?: unknown };
}

/** Fastify instances whose requests already read `session` from the Node request. */
const decorated = new WeakSet<object>();

/**
 * Gives the requests of a Fastify instance a `session` property that reads
 * (and writes) the Node request's, where the session middleware puts it: so
 * `req.session` is the session on the request Nest hands to handlers, guards
 * and its own `@Session()`, whichever way the session was loaded (eager
 * middleware on the Node request, `@Session()`, `SessionService`).
 *
 * Runs once per instance, before the application starts (Fastify refuses
 * decorators after that).
 *
 * @throws RequestSessionDecoratedError when another plugin (`@fastify/session`) already decorates `session`.
 */
export function decorateFastifyRequestSession(instance: unknown): void {
  if (!isDecoratable(instance) || decorated.has(instance)) return;
  if (instance.hasRequestDecorator('session')) throw new RequestSessionDecoratedError();
  instance.decorateRequest('session', {
    getter(this: FastifyRequestLike): unknown {
      return this.raw.session;
    },
    setter(this: FastifyRequestLike, value: unknown): void {
      this.raw.session = value;
    },
  });
  decorated.add(instance);
}

function isDecoratable(instance: unknown): instance is FastifyRequestDecorating {
  return (
    typeof instance === 'object' &&
    instance !== null &&
    typeof (instance as Partial<FastifyRequestDecorating>).decorateRequest === 'function' &&
    typeof (instance as Partial<FastifyRequestDecorating>).hasRequestDecorator === 'function'
  );
}
