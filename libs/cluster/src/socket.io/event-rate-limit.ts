import { type Socket } from 'socket.io';

/** How many events one socket may send. */
export interface EventRateLimit {
  /** Events allowed per interval (the bucket's size). */
  readonly events: number;
  /** The interval in ms over which `events` are refilled. */
  readonly intervalMs: number;
}

/** The event a limited socket receives (once per interval while it is over the limit). */
export const RATE_LIMIT_ERROR_EVENT = 'error';

/**
 * Installs a token bucket on a socket: events over the limit are dropped before any handler
 * runs (cheap, so a flood from one socket does not stall the others), and the client is told
 * once per interval with an `error` event `{ message }`.
 */
export function limitEventRate(socket: Socket, limit: EventRateLimit): void {
  const perMs = limit.events / limit.intervalMs;
  let tokens = limit.events;
  let last = Date.now();
  let lastWarning = 0;
  socket.use((_packet, next) => {
    const now = Date.now();
    tokens = Math.min(limit.events, tokens + (now - last) * perMs);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      next();
      return;
    }
    if (now - lastWarning >= limit.intervalMs) {
      lastWarning = now;
      socket.emit(RATE_LIMIT_ERROR_EVENT, {
        message: `Too many events: at most ${limit.events} per ${limit.intervalMs} ms; this one was dropped.`,
      });
    }
  });
}
