import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { sendErrorResponse } from './core/error-response.js';
import { RequestSession } from './core/request-session.js';
import { prepareSessionProperty } from './core/request-session-property.js';
import {
  attachRequestSession,
  isPreparedRequest,
  prepareRequestSlot,
  requestSessionOf,
} from './core/request-session.lookup.js';
import { prepareResponseHook } from './core/response-hooks.js';
import { SessionRuntime } from './core/session-runtime.js';

/**
 * Gives every request a lazy session slot. It reads no cookie and calls no
 * store: that happens only when a handler asks for the session.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(private readonly runtime: SessionRuntime) {}

  /** Attaches the slot (unless {@link prepare} gave the request one) and continues. */
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    this.handler(req, res, next);
  }

  /** {@link use} as a plain function, for mounting on the HTTP adapter directly. */
  readonly handler = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (!isPreparedRequest(req)) attachRequestSession(req, new RequestSession(this.runtime, req, res));
    next();
  };

  /**
   * Gives a Node request a slot made on first use, for a listener on the
   * server's `'request'` event, ahead of the framework: without the `next`,
   * and without allocating. The request and its response get the few
   * properties the session needs while they still share their hidden class
   * with every other request (Express swaps their prototypes afterwards, and
   * each property added after that costs a copy of it).
   */
  readonly prepare = (req: IncomingMessage, res: ServerResponse): void => {
    prepareRequestSlot(req, res, this.createSlot);
    prepareSessionProperty(req);
    prepareResponseHook(res);
  };

  private readonly createSlot = (req: IncomingMessage, res: ServerResponse): RequestSession =>
    new RequestSession(this.runtime, req, res);

  /**
   * Attaches the slot and loads the session before continuing (`eager: true`),
   * for mounting on the HTTP adapter directly: `req.session` is in place for
   * every later middleware. Outside Nest's exception filters, a failed load
   * is answered here, as Nest would (503 when the store is unavailable).
   */
  readonly eagerHandler = (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    let slot: RequestSession;
    if (isPreparedRequest(req)) slot = requestSessionOf(req);
    else attachRequestSession(req, (slot = new RequestSession(this.runtime, req, res)));
    const loaded = slot.loadNow();
    if (!(loaded instanceof Promise)) return next();
    loaded.then(
      () => next(),
      (error: unknown) => {
        this.runtime.log.reportLoadFailure(error);
        if (res.headersSent) res.destroy();
        else sendErrorResponse(res, error);
      },
    );
  };
}

/**
 * Loads the session on the routes listed in `eager.forRoutes`, after the slot
 * middleware, so that later middleware and guards find `req.session`. A
 * failed load goes through Nest's exception filters (503 when the store is
 * unavailable).
 */
@Injectable()
export class EagerSessionMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  /** Loads, then continues. */
  use(req: IncomingMessage, _res: ServerResponse, next: () => void): void | Promise<void> {
    const loaded = requestSessionOf(req).loadNow();
    if (!(loaded instanceof Promise)) return next();
    return loaded.then(() => next());
  }
}
