// @ts-check
import { isRecord } from './guards.js';

/** @typedef {import('./guards.js').ServedBy} ServedBy */

/**
 * @typedef {object} ApiReply
 * @property {number} status - HTTP status.
 * @property {boolean} ok - a 2xx status.
 * @property {unknown} body - the parsed JSON body (`undefined` when empty or not JSON).
 * @property {ServedBy | null} servedBy - from the `x-served-by` header.
 */

/**
 * How the page talks to the demo. `newConnection` asks for `Connection: close` on every answer:
 * browsers keep one connection alive, and the cluster hands a whole connection to one worker, so
 * without it every request of the page would go to the same worker.
 */
export const transport = { newConnection: true };

/**
 * Parses `x-served-by: <pid>/<workerId>` (or `<pid>` in one process).
 *
 * @param {string | null} header
 * @returns {ServedBy | null}
 */
export function parseServedBy(header) {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(header ?? '');
  if (!match) return null;
  return { pid: Number(match[1]), workerId: match[2] === undefined ? null : Number(match[2]) };
}

/**
 * One JSON request to the demo. Rejects only on network failure; HTTP errors resolve with `ok: false`.
 *
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<ApiReply>}
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (transport.newConnection) headers['x-new-connection'] = '1';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
  });
  const text = await response.text();
  /** @type {unknown} */
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    ok: response.ok,
    body,
    servedBy: parseServedBy(response.headers.get('x-served-by')),
  };
}

/**
 * A readable reason for a failed reply: the server's message, else the status.
 *
 * @param {ApiReply} reply
 * @returns {string}
 */
export function failureText(reply) {
  const message = isRecord(reply.body) ? reply.body.message : undefined;
  if (typeof message === 'string') return `${reply.status}: ${message}`;
  if (Array.isArray(message)) return `${reply.status}: ${message.map(String).join('; ')}`;
  return `HTTP ${reply.status}`;
}

/**
 * A readable reason for a thrown error (a network failure, usually).
 *
 * @param {unknown} error
 * @returns {string}
 */
export function errorText(error) {
  return error instanceof Error ? `network error: ${error.message}` : 'network error';
}
