import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Moves the headers passed to `writeHead(status[, message], headers)` onto
 * the response, as Node does itself when headers were already set with
 * `setHeader` (an object's names replace earlier values; a flat
 * `[name, value, ...]` array replaces them too but may repeat a name), and
 * returns the arguments without them.
 *
 * The commit gate does this before the session adds its Set-Cookie, so the
 * session's cookie joins the headers the caller passed instead of being
 * replaced by them. Fastify, for one, hands every header of a reply
 * (`reply.header()`, `reply.headers()`, `reply.setCookie()`) to `writeHead`
 * this way. Arguments of another shape are left for Node to refuse.
 */
export function foldWriteHeadHeaders(res: ServerResponse, args: readonly unknown[]): unknown[] {
  const withMessage = typeof args[1] === 'string';
  const headers = withMessage ? args[2] : args[1];
  if (headers === undefined || headers === null || typeof headers !== 'object') return [...args];
  const head = withMessage ? [args[0], args[1]] : [args[0]];
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) return [...args];
    const pairs = headers as unknown[];
    for (let i = 0; i < pairs.length; i += 2) res.removeHeader(String(pairs[i]));
    for (let i = 0; i < pairs.length; i += 2) {
      const name = String(pairs[i]);
      if (name) res.appendHeader(name, pairs[i + 1] as string | readonly string[]);
    }
    return head;
  }
  const record = headers as OutgoingHttpHeaders;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (name && value !== undefined) res.setHeader(name, value);
  }
  return head;
}
