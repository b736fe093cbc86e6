import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request header by which the console asks for `Connection: close`. Browsers keep one
 * connection alive and Node's cluster hands each *connection* to one worker, so without it every
 * click of the page would land on the same worker. With it, each request opens a new connection
 * and the primary's round robin spreads them over the workers.
 */
export const NEW_CONNECTION_HEADER = 'x-new-connection';

/** Answers with `Connection: close` when the request carries `x-new-connection: 1`. */
export function newConnectionPerRequest(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (req.headers[NEW_CONNECTION_HEADER] === '1') res.setHeader('Connection', 'close');
  next();
}
