import { type Agent, request } from 'node:http';

/** A parsed HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/**
 * One HTTP request with node:http. By default each request opens its own connection, so the
 * primary's round robin spreads requests over the workers; pass a keep-alive `agent` to reuse one.
 */
export function http(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    agent?: Agent;
    onSocket?: (socket: import('node:net').Socket) => void;
  } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: options.agent ?? false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    if (options.onSocket) req.once('socket', options.onSocket);
    req.on('error', reject);
    req.end(payload);
  });
}

function byOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, 'by') : undefined;
}

/**
 * Sends a request until the worker `workerId` answers it (each attempt is a new connection, and
 * the round robin alternates). POST bodies carry `asWorker`, so other workers skip them.
 */
export async function onWorker(
  baseUrl: string,
  workerId: number,
  path: string,
  body?: Record<string, unknown>,
  attempts = 40,
): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : { ...body, asWorker: workerId };
  for (let attempt = 0; attempt < attempts; attempt++) {
    const answer = await http(`${baseUrl}${path}`, { body: payload });
    if (byOf(answer.body) === workerId && pick(answer.body, 'skipped') !== true) return answer;
  }
  throw new Error(`Worker ${workerId} did not answer ${path} in ${attempts} attempts`);
}

/** Reads a nested field of an unknown JSON value (`a.b.c`), or `undefined`. */
export function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

/** Reads a list at `path` of an unknown JSON value, failing loudly when it is not one. */
export function pickList(value: unknown, path: string): unknown[] {
  const found = pick(value, path);
  if (!Array.isArray(found)) throw new Error(`${path} is not a list in ${JSON.stringify(value)}`);
  return found;
}
