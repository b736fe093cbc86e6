import { type Agent, request as httpRequest } from 'node:http';

/** An HTTP reply with the bits the cluster tests look at. */
export interface FreshReply {
  status: number;
  json: unknown;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** `name=value` of the `sid` cookie this reply set, if any. */
  sessionCookie: string | undefined;
  /** The client's port of the connection the reply came on (which names the connection, and so one worker). */
  localPort: number | undefined;
}

/** Options of {@link freshRequest}. */
export interface FreshRequestOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A keep-alive agent pins the request to an existing connection (and so to one worker). */
  agent?: Agent;
  timeoutMs?: number;
}

/**
 * One real HTTP request over node:http. Without an agent each request opens
 * its own connection, so the primary's round robin spreads them over the
 * workers. Rejects on a network error or after `timeoutMs`.
 */
export function freshRequest(url: string, options: FreshRequestOptions = {}): Promise<FreshReply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    let localPort: number | undefined;
    const req = httpRequest(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: options.agent ?? false,
        headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = body ? JSON.parse(body) : undefined;
          } catch {
            json = undefined;
          }
          const setCookie = res.headers['set-cookie'] ?? [];
          const ours = setCookie.find((value) => value.startsWith('sid='));
          resolve({
            status: res.statusCode ?? 0,
            json,
            body,
            headers: res.headers,
            sessionCookie: ours?.split(';')[0],
            localPort,
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () =>
      req.destroy(Object.assign(new Error(`no answer from ${url} in time`), { code: 'timeout' })),
    );
    req.on('socket', (socket) => {
      if (socket.localPort !== undefined) localPort = socket.localPort;
      else socket.once('connect', () => (localPort = socket.localPort));
    });
    // Whether the request went out on a kept-alive connection the server had already accepted, and which.
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket, localPort })));
    req.end(payload);
  });
}

/** The `pid` field of a JSON reply. */
export function pidOf(reply: FreshReply): number {
  const pid = (reply.json as { pid?: unknown } | undefined)?.pid;
  if (typeof pid !== 'number') throw new Error(`no pid in ${reply.body}`);
  return pid;
}

/**
 * Repeats a request on new connections until a worker other than `notPid`
 * (or, with `pid`, that exact worker) answers it.
 */
export async function requestOnWorker(
  url: string,
  target: { notPid?: number; pid?: number },
  options: FreshRequestOptions = {},
  attempts = 40,
): Promise<FreshReply> {
  for (let i = 0; i < attempts; i++) {
    const reply = await freshRequest(url, options);
    const pid = (reply.json as { pid?: unknown } | undefined)?.pid;
    if (typeof pid !== 'number') return reply;
    if (target.pid !== undefined ? pid === target.pid : pid !== target.notPid) return reply;
  }
  throw new Error(`no matching worker answered ${url} in ${attempts} attempts`);
}
