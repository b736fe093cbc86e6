import { HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';

/*
 * Errors a client should see carry an HTTP status (they extend HttpException);
 * programming and configuration errors are plain errors, which Nest logs with
 * their stack and answers with a generic 500. Both kinds are `SessionError`s.
 */

const SESSION_ERROR = Symbol.for('nest-hive:session-error');

/**
 * Base class of every error of `@nest-hive/session`: `error instanceof SessionError` catches them
 * all, including the ones that reach HTTP clients (those extend Nest's `HttpException` so Nest
 * answers with their status, and are recognised by a brand instead).
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (error) { if (error instanceof SessionError) console.error(error.message); }
 * ```
 */
export class SessionError extends Error {
  /** `instanceof SessionError` is true for every error of this package; subclasses check as usual. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SessionError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && Reflect.get(value, SESSION_ERROR) === true;
  }

  /** @param message - what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    markSessionError(this);
  }
}

/** Brands an error as one of this package's (for the `HttpException` subclasses). */
function markSessionError(error: Error): void {
  Object.defineProperty(error, SESSION_ERROR, { value: true });
}

/** Thrown at start-up when `SessionModule` options are invalid. */
export class InvalidSessionOptionsError extends SessionError {
  override readonly name = 'InvalidSessionOptionsError';
  constructor(
    /** The option at fault, e.g. `secret` or `cookie.sameSite`. */
    readonly option: string,
    problem: string,
  ) {
    super(`SessionModule option \`${option}\` ${problem}`);
  }
}

/**
 * The session store failed or did not answer. Requests that need the session
 * get a 503; routes that do not use it are unaffected.
 */
export class SessionStoreUnavailableError extends ServiceUnavailableException {
  override readonly name = 'SessionStoreUnavailableError';
  constructor(
    /** The store operation that failed. */
    readonly operation: 'get' | 'set' | 'patch' | 'destroy' | 'touch' | 'index',
    cause: unknown,
  ) {
    super('Session store unavailable, please retry shortly', {
      cause,
      description: 'Service Unavailable',
    });
    markSessionError(this);
  }
}

/** A handler asked for the session on a route the session middleware does not cover. */
export class SessionNotAvailableError extends SessionError {
  override readonly name = 'SessionNotAvailableError';
  constructor() {
    super(
      'No session on this request: import SessionModule.forRoot() in the application, ' +
        'and check that its `forRoutes`/`exclude` options cover this route. ' +
        'In a WebSocket gateway (the handshake request never passes the HTTP middleware), ' +
        'use `SessionService.fromHandshake(client.request)`.',
    );
  }
}

/** A session read from a WebSocket handshake was asked for something only an HTTP response can carry. */
export class HandshakeSessionError extends SessionError {
  override readonly name = 'HandshakeSessionError';
  constructor(readonly method: string) {
    super(
      `session.${method}() cannot run on a session read from a WebSocket handshake: there is no HTTP ` +
        'response to carry a new cookie. Sign in, regenerate and start sessions over HTTP; a gateway may ' +
        'read, change and save() an existing session, or destroy() it.',
    );
  }
}

/** Application code tried to use a reserved name as a session data key. */
export class ReservedSessionKeyError extends SessionError {
  override readonly name = 'ReservedSessionKeyError';
  constructor(readonly key: string) {
    super(
      `"${key}" is reserved by the session API and cannot be used as a session data key; pick another name.`,
    );
  }
}

/** A session value could not be serialized to JSON (e.g. a BigInt or a cycle). */
export class SessionDataNotSerializableError extends SessionError {
  override readonly name = 'SessionDataNotSerializableError';
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`Session key "${key}" holds a value that is not JSON-serializable; store plain data only.`, {
      cause,
    });
  }
}

/** The session grew past `maxSessionBytes` and was not saved. */
export class SessionTooLargeError extends HttpException {
  override readonly name = 'SessionTooLargeError';
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `Session data is ${bytes} bytes, over the ${maxBytes}-byte limit (maxSessionBytes); it was not saved. ` +
        'Keep large data elsewhere and store a reference in the session.',
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
    markSessionError(this);
  }
}

/** `genid` produced something that cannot be a session id. */
export class InvalidSessionIdError extends SessionError {
  override readonly name = 'InvalidSessionIdError';
  constructor() {
    super('The `genid` option returned an invalid id: ids must be 16-128 characters of A-Z a-z 0-9 _ -.');
  }
}

/**
 * A handler uses Nest's own `@Session()` from `@nestjs/common`, which reads
 * `req.session` synchronously, on a route where nothing loads it first.
 */
export class NestSessionDecoratorError extends SessionError {
  override readonly name = 'NestSessionDecoratorError';
  constructor(readonly handler: string) {
    super(
      `${handler} uses @Session() from '@nestjs/common', which cannot load a lazy session. ` +
        `Import { Session } from '@nest-hive/session' instead, add @UseSession() to the handler or its controller, ` +
        'or load the session eagerly there (`eager: true`, or the controller class in `eager.forRoutes`).',
    );
  }
}

/**
 * On Fastify, another plugin (usually `@fastify/session`) already puts a
 * `session` on every request: two session modules cannot share `req.session`.
 */
export class RequestSessionDecoratedError extends SessionError {
  override readonly name = 'RequestSessionDecoratedError';
  constructor() {
    super(
      'Fastify requests already have a `session` decorator (from @fastify/session or another plugin). ' +
        'SessionModule puts its own session on req.session: register only one of them.',
    );
  }
}
