/**
 * `shutdownDelayMs` (issue 28): on `SIGTERM` a cluster behind a load balancer first serves on with
 * `/health` answering 503 (`shuttingDown`), so the balancer takes the machine out, then shuts down
 * gracefully and exits 0. `SIGINT` (Ctrl-C) does not wait. On the demo, `SHUTDOWN_DELAY_MS`.
 */
import { describe, expect, it } from '@jest/globals';
import { startDemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import { expectOnTime, expectWithin } from '../support/timing.js';

const DELAY_MS = 1_500;
/** A graceful shutdown of the idle demo takes well under this. */
const SHUTDOWN_MS = 1_500;

describe('shutdownDelayMs', () => {
  it('serves on with /health 503 (shuttingDown) for the delay after SIGTERM, then exits 0', async () => {
    const demo = await startDemoCluster(2, { SHUTDOWN_DELAY_MS: String(DELAY_MS) });
    try {
      const signalledAt = Date.now();
      demo.process.signal('SIGTERM');
      const health = await waitFor(
        '/health to answer 503',
        async () => {
          const reply = await freshRequest(`${demo.url}/health`);
          return reply.status === 503 ? reply : undefined;
        },
        1_000,
        20,
      );
      expectWithin('/health 503 after SIGTERM', Date.now() - signalledAt, 0);
      expect(health.json).toMatchObject({
        error: { cluster: { status: 'down', shuttingDown: true, message: 'The cluster is shutting down' } },
      });
      // Every route but the health check answers as before, on both workers.
      const served = new Set<string>();
      for (let request = 0; request < 10; request++) {
        const reply = await freshRequest(`${demo.url}/api/ping`);
        expect(reply.status).toBe(200);
        served.add(String(reply.headers['x-served-by']));
      }
      expect(served.size).toBe(2);
      expect(await demo.process.exited).toBe(0);
      const exitedAfterMs = Date.now() - signalledAt;
      expectOnTime(
        'exit after SIGTERM, the delay and a graceful shutdown',
        exitedAfterMs,
        DELAY_MS,
        SHUTDOWN_MS,
      );
      expect(demo.process.output()).toMatch(
        /health checks answer down, the cluster shuts down gracefully in 1500 ms/,
      );
    } finally {
      await demo.stop();
    }
  }, 60_000);

  it('does not wait on SIGINT', async () => {
    const demo = await startDemoCluster(2, { SHUTDOWN_DELAY_MS: String(DELAY_MS) });
    try {
      const signalledAt = Date.now();
      demo.process.signal('SIGINT');
      expect(await demo.process.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(DELAY_MS);
    } finally {
      await demo.stop();
    }
  }, 60_000);
});
