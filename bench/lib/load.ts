import autocannon from 'autocannon';

/** Settings of one load run. */
export interface LoadOptions {
  url: string;
  durationSeconds: number;
  connections?: number;
  headers?: Record<string, string>;
  /**
   * One cookie per request, each sent once: the run then makes as many requests as there are
   * cookies less `connections` (the load generator prepares one request ahead on each
   * connection), and `durationSeconds` is ignored.
   */
  cookies?: readonly string[];
}

/** What one load run measured. */
export interface LoadResult {
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  total: number;
}

/** Runs autocannon against `url` (127.0.0.1 only) for a bounded time. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (!options.url.startsWith('http://127.0.0.1:'))
    throw new Error(`Load tests target 127.0.0.1 only, not ${options.url}`);
  const connections = options.connections ?? 50;
  const cookies = options.cookies;
  const amount = cookies && cookies.length - connections;
  if (amount !== undefined && amount < connections) throw new Error(`${options.url}: too few cookies`);
  let next = 0;
  // A run of a set amount ends on the load generator's next one-second tick: its own duration and
  // average per second count that idle part. The last request prepared marks the last answer.
  const started = performance.now();
  let lastAnswer = started;
  const result = await autocannon({
    url: options.url,
    connections,
    headers: options.headers,
    ...(amount === undefined
      ? { duration: options.durationSeconds }
      : {
          amount,
          requests: [
            {
              setupRequest: (request) => {
                lastAnswer = performance.now();
                return { ...request, headers: { ...request.headers, cookie: cookies?.[next++] ?? '' } };
              },
            },
          ],
        }),
  });
  return {
    requestsPerSecond:
      amount === undefined
        ? result.requests.average
        : (result.requests.total * 1000) / (lastAnswer - started),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    total: result.requests.total,
  };
}

/** Gets a valid session cookie (`name=value`) from a route that writes the session. */
export async function obtainCookie(url: string): Promise<string> {
  const response = await fetch(url);
  await response.text();
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (!cookie) throw new Error(`${url} set no cookie`);
  return cookie;
}

/**
 * `count` sessions of their own: one cookie (`name=value`) from each of `count` requests to `url`,
 * a route that makes a new session each request, sent by the load generator (50 connections).
 */
export async function collectCookies(url: string, count: number): Promise<string[]> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`Load tests target 127.0.0.1 only, not ${url}`);
  const cookies: string[] = [];
  const result = await autocannon({
    url,
    connections: 50,
    amount: count,
    requests: [
      {
        onResponse: (_status, _body, _context, headers) => {
          const named = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'set-cookie');
          const setCookie: unknown = named?.[1];
          const first: unknown = Array.isArray(setCookie) ? setCookie[0] : setCookie;
          const cookie = typeof first === 'string' ? first.split(';')[0] : undefined;
          if (cookie) cookies.push(cookie);
        },
      },
    ],
  });
  if (result.errors + result.timeouts + result.non2xx > 0 || cookies.length !== count) {
    throw new Error(
      `${url}: ${cookies.length} cookies of ${count} (${result.non2xx} non-2xx, ${result.errors} errors)`,
    );
  }
  return cookies;
}
