/**
 * Graceful shutdown after sticky handovers: with long-polling, requests of one engine.io session
 * that land on the other worker are handed over through the primary. SIGTERM must still stop every
 * worker by itself and the primary must exit 0, well before the 10 s stop timeout kills anyone.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { type DemoCluster, startDemoCluster } from '../support/demo-cluster.js';
import {
  type ClientOptions,
  type TestClient,
  closeClients,
  connectClients,
  waitAllConnected,
} from '../support/socket-clients.js';
import { TIMING_TOLERANCE_MS } from '../support/timing.js';

/** The demo's spread of socket closes (drainSpreadMs) plus its other shutdown steps, with the tolerance. */
const SHUTDOWN_BOUND_MS = 3_000 + TIMING_TOLERANCE_MS;

const TRANSPORTS: Array<[string, ClientOptions]> = [
  ['default transports (polling, then the upgrade)', {}],
  ['long-polling only', { transports: ['polling'] }],
];

describe.each(TRANSPORTS)('SIGTERM after socket.io clients with %s (demo, 2 workers)', (_name, options) => {
  let demo: DemoCluster | undefined;
  let clients: TestClient[] = [];
  afterEach(async () => {
    closeClients(clients);
    clients = [];
    await demo?.stop();
  });

  it.each([
    ['closed before the signal', true],
    ['still connected at the signal', false],
  ])(
    'with clients %s, every worker stops by itself and the primary exits 0',
    async (_when, closeFirst) => {
      demo = await startDemoCluster(2);
      clients = connectClients(demo.url, 8, ['welcome'], options);
      await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
      if (closeFirst) {
        closeClients(clients);
        clients = [];
      }
      const signalledAt = Date.now();
      demo.process.signal('SIGTERM');
      const exit = await demo.process.exited;
      const exitedAfterMs = Date.now() - signalledAt;
      expect(demo.process.output()).not.toMatch(/did not stop within/);
      expect(exit).toBe(0);
      expect(exitedAfterMs).toBeLessThan(SHUTDOWN_BOUND_MS);
    },
    40_000,
  );
});
