import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { RequestSession } from './core/request-session.js';
import type { SessionCarrier } from './core/request-session.lookup.js';
import { SessionRuntime } from './core/session-runtime.js';
import { SESSION_SLOT } from './session.constants.js';

/**
 * Gives every request a lazy session slot. It reads no cookie and calls no
 * store: that happens only when a handler asks for the session.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(private readonly runtime: SessionRuntime) {}

  /** Attaches the slot and continues. */
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    (req as SessionCarrier)[SESSION_SLOT] = new RequestSession(this.runtime, req, res);
    next();
  }

  /** {@link use} as a plain function, for mounting on the HTTP adapter directly. */
  readonly handler = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    (req as SessionCarrier)[SESSION_SLOT] = new RequestSession(this.runtime, req, res);
    next();
  };
}
