import { freshRequest, type FreshReply, type FreshRequestOptions } from './fresh-http.js';

/** The pid in a demo reply's `x-served-by: <pid>/<workerId>` header. */
export function servedBy(reply: FreshReply): number {
  const header = reply.headers['x-served-by'];
  const pid = Number(String(header).split('/')[0]);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error(`no x-served-by pid in the reply (${String(header)})`);
  return pid;
}

/**
 * Repeats a request on new connections until the worker `pid` serves it
 * (read from `x-served-by`, so any route works, not only those that answer
 * with their pid). Use it for requests that change nothing: the attempts
 * other workers serve are real requests too.
 */
export async function requestServedBy(
  url: string,
  pid: number,
  options: FreshRequestOptions = {},
  attempts = 40,
): Promise<FreshReply> {
  for (let i = 0; i < attempts; i++) {
    const reply = await freshRequest(url, options);
    if (servedBy(reply) === pid) return reply;
  }
  throw new Error(`worker ${pid} did not serve ${url} in ${attempts} attempts`);
}
