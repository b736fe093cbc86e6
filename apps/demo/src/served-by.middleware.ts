import type { IncomingMessage, ServerResponse } from 'node:http';
import { processIdentity } from './process-identity.js';

/** Response header naming the process that served the request: `<pid>` or `<pid>/<workerId>`. */
export const SERVED_BY_HEADER = 'x-served-by';

/** Adds {@link SERVED_BY_HEADER} to every response. */
export function servedByHeader(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const { pid, workerId } = processIdentity();
  res.setHeader(SERVED_BY_HEADER, workerId === null ? String(pid) : `${pid}/${workerId}`);
  next();
}
