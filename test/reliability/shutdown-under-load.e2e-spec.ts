import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { startDemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { LoadLoop } from '../support/load-loop.js';
import { recordReliability } from '../support/reliability-record.js';

/** The demo's shutdownTimeoutMs: the bootstrap default. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

const LOOPS = 8;

describe('3. graceful shutdown (SIGTERM) under load', () => {
  it('completes every request sent before SIGTERM, and every process exits 0 within shutdownTimeoutMs', async () => {
    const demo = await startDemoCluster(2);
    try {
      const pids = await demo.workerPids();
      // Half the loops keep a 300 ms request in flight, so requests are mid-way when the signal comes.
      const loop = new LoadLoop({
        url: demo.url,
        concurrency: LOOPS,
        keepAlive: true,
        maxDurationMs: 15_000,
        requestTimeoutMs: 5_000,
        next: (l) => ({ path: l % 2 === 0 ? '/api/slow?ms=300' : '/api/ping' }),
      }).start();
      await sleep(1_000);
      const slow = [1_500, 1_200, 800].map((ms) =>
        freshRequest(`${demo.url}/api/slow?ms=${ms}`, { timeoutMs: 8_000 }),
      );
      await sleep(200);
      // The load stops sending at the signal: every request counted below was sent before it.
      const inFlightAtSignal = loop.halt();
      const signalledAt = Date.now();
      demo.process.signal('SIGTERM');
      const slowReplies = await Promise.all(slow);
      const stats = await loop.stop();
      const exit = await demo.process.exited;
      const exitedAfterMs = Date.now() - signalledAt;

      const newConnectionFailures =
        (stats.failures['ECONNRESET on a new connection'] ?? 0) + (stats.failures.ECONNREFUSED ?? 0);
      await recordReliability({
        'shutdown.slowInFlight': slowReplies.length,
        'shutdown.slowCompleted': slowReplies.filter((r) => r.status === 200).length,
        'shutdown.exitCode': typeof exit === 'number' ? exit : String(exit),
        'shutdown.exitMs': exitedAfterMs,
        'shutdown.loopRequests': stats.sent,
        'shutdown.loopInFlightAtSignal': inFlightAtSignal,
        'shutdown.loopCut': stats.failed,
        'shutdown.newConnectionFailures': newConnectionFailures,
      });
      expect(slowReplies.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(exit).toBe(0);
      expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
      expect(stats.ok).toBeGreaterThan(50);
      expect(stats.sent).toBe(stats.ok + stats.failed);
      // Every request sent before SIGTERM was answered: kept-alive connections were accepted long
      // before, so none may be cut, refused or left unanswered.
      expect({ failures: stats.failures, inFlightAtSignal }).toEqual({ failures: {}, inFlightAtSignal });
      expect(inFlightAtSignal).toBeGreaterThan(0);
    } finally {
      await demo.stop();
    }
  }, 60_000);
});
