import autocannon from 'autocannon';

/** Settings of one load run. */
export interface LoadOptions {
  url: string;
  durationSeconds: number;
  connections?: number;
  headers?: Record<string, string>;
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
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 50,
    duration: options.durationSeconds,
    headers: options.headers,
  });
  return {
    requestsPerSecond: result.requests.average,
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
