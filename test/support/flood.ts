import autocannon from 'autocannon';

/** What one bounded flood measured. */
export interface FloodResult {
  /** Requests answered with a 2xx. */
  ok: number;
  non2xx: number;
  /** Network errors and timeouts. */
  errors: number;
  requestsPerSecond: number;
  durationMs: number;
}

/** Options of {@link flood}. */
export interface FloodOptions {
  /** Exactly this many requests are sent, then the flood stops. */
  amount: number;
  connections?: number;
  /** Hard stop, whatever is left. Default 120 s. */
  maxDurationMs?: number;
}

/**
 * Sends `amount` GET requests to `url` (127.0.0.1 only) with autocannon, from
 * a worker thread so that the load generator and an in-process app each get
 * a core. Self-stopping: it ends after `amount` requests or `maxDurationMs`.
 */
export async function flood(url: string, options: FloodOptions): Promise<FloodResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`Floods target 127.0.0.1 only, not ${url}`);
  const started = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, amount: options.amount, connections: options.connections ?? 10, workers: 1, timeout: 10 },
      (error, outcome) => {
        clearTimeout(deadline);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(outcome);
      },
    );
    const deadline = setTimeout(() => instance.stop(), options.maxDurationMs ?? 120_000);
  });
  const durationMs = Date.now() - started;
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requestsPerSecond: Math.round((result['2xx'] + result.non2xx) / (durationMs / 1000)),
    durationMs,
  };
}
