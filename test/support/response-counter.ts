import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Counts of what an in-process HTTP server answered. */
export interface ResponseCounter {
  /** Responses finished. */
  readonly finished: number;
  /** Responses that carried a `Set-Cookie` header. */
  readonly withSetCookie: number;
  /** Responses with a 5xx status. */
  readonly serverErrors: number;
  /** Stops counting. */
  detach(): void;
}

/** Counts every response `server` finishes from now on. */
export function countResponses(server: Server): ResponseCounter {
  const counts = { finished: 0, withSetCookie: 0, serverErrors: 0 };
  const onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    res.once('finish', () => {
      counts.finished++;
      if (res.getHeader('set-cookie') !== undefined) counts.withSetCookie++;
      if (res.statusCode >= 500) counts.serverErrors++;
    });
  };
  server.on('request', onRequest);
  return {
    get finished() {
      return counts.finished;
    },
    get withSetCookie() {
      return counts.withSetCookie;
    },
    get serverErrors() {
      return counts.serverErrors;
    },
    detach: () => void server.off('request', onRequest),
  };
}
