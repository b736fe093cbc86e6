/**
 * Open sockets through a rolling restart and a kill -9 (the compiled demo, 2 workers, 20 clients
 * with socket.io-client's default transports): a leaving worker closes its connections only once
 * its replacement is ready, spread over `drainSpreadMs`; every client reconnects to a live worker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type DemoCluster, type DemoWorker, startDemoCluster } from '../support/demo-cluster.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import {
  type TestClient,
  closeClients,
  connectClients,
  lastOf,
  waitAllConnected,
} from '../support/socket-clients.js';

interface Welcome {
  user: string | null;
  pid: number;
  workerId: number;
}

const CLIENTS = 20;

describe('sockets through restarts (demo, 2 workers, 20 clients)', () => {
  let demo: DemoCluster;
  let clients: TestClient[] = [];
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 40_000);
  afterEach(() => {
    closeClients(clients);
    clients = [];
  });
  afterAll(() => demo.stop());

  async function connectAll(): Promise<void> {
    clients = connectClients(demo.url, CLIENTS, ['welcome', 'chat']);
    await waitAllConnected(clients, 20_000, { name: 'welcome', times: 1 });
    await waitFor('every client upgraded', () =>
      clients.every((client) => client.socket.io.engine.transport.name === 'websocket') ? true : undefined,
    );
  }

  /** Waits until every client is connected again, welcomed by one of `pids`; returns when (ms since epoch). */
  async function allBackOn(pids: readonly number[], timeoutMs: number): Promise<number> {
    return waitFor(
      'every client connected to a live worker',
      () =>
        clients.every(
          (client) => client.socket.connected && pids.includes(lastOf<Welcome>(client, 'welcome')?.pid ?? -1),
        )
          ? Date.now()
          : undefined,
      timeoutMs,
      10,
    );
  }

  /** A chat line from client 0 reaches all 20 (the cluster adapter works after the change). */
  async function chatReachesEveryone(text: string): Promise<void> {
    clients[0].socket.emit('chat', { text });
    await waitFor(`"${text}" on every client`, () =>
      clients.every((client) =>
        client.received.get('chat')?.some((m) => (m as { text: string }).text === text),
      )
        ? true
        : undefined,
    );
  }

  it('rolling restart (SIGHUP): sockets leave a worker only after its replacement is ready, spread out, and all come back', async () => {
    await connectAll();
    const before = await demo.workers();
    const slotOf = new Map(before.map((worker) => [worker.pid, worker.slot]));
    const started = Date.now();
    demo.process.signal('SIGHUP');
    let after: DemoWorker[] = [];
    await waitFor(
      'both workers replaced',
      async () => {
        after = (await demo.workers()).filter(
          (worker) => worker.state === 'ready' && !slotOf.has(worker.pid),
        );
        return after.length === 2 ? true : undefined;
      },
      40_000,
      100,
    );
    // Back means on a replacement: an old worker still in the table is draining (its sockets close
    // over drainSpreadMs), and a line sent before they have moved could miss them between workers.
    const livePids = after.map((worker) => worker.pid);
    const backAt = await allBackOn(livePids, 20_000);
    await chatReachesEveryone('after the rolling restart');

    const readyOfSlot = new Map(after.map((worker) => [worker.slot, worker.readyAt ?? 0]));
    const disconnectsBySlot = new Map<number, number[]>();
    for (const client of clients) {
      expect(client.disconnects).toBeGreaterThanOrEqual(1);
      expect(client.reasons.every((reason) => reason === 'transport close')).toBe(true);
    }
    // Every client was first on an old worker; it left it after that slot's replacement was ready.
    for (const client of clients) {
      const firstWelcome = client.received.get('welcome')?.[0] as Welcome;
      const slot = slotOf.get(firstWelcome.pid)!;
      const list = disconnectsBySlot.get(slot) ?? [];
      list.push(client.firstDisconnectAt);
      disconnectsBySlot.set(slot, list);
    }
    let widestSpread = 0;
    for (const [slot, times] of disconnectsBySlot) {
      expect(Math.min(...times)).toBeGreaterThanOrEqual(readyOfSlot.get(slot)!);
      if (times.length >= 5) widestSpread = Math.max(widestSpread, Math.max(...times) - Math.min(...times));
    }
    // Spread over drainSpreadMs (1 s): not all at once.
    expect(widestSpread).toBeGreaterThan(300);
    const lastReconnect = backAt - started;
    await recordReliability({
      'sockets.rollingRestart.clients': CLIENTS,
      'sockets.rollingRestart.leftDisconnected': clients.filter((client) => !client.socket.connected).length,
      'sockets.rollingRestart.allBackMs': lastReconnect,
      'sockets.rollingRestart.backAfterLastDisconnectMs':
        backAt - Math.max(...clients.map((client) => client.lastDisconnectAt)),
      'sockets.rollingRestart.disconnectsPerClientMax': Math.max(
        ...clients.map((client) => client.disconnects),
      ),
      'sockets.rollingRestart.disconnectSpreadMs': widestSpread,
    });
  }, 90_000);

  it('kill -9 of a worker: its sockets reconnect to live workers', async () => {
    await connectAll();
    const workers = await demo.workers();
    const victim = workers[0];
    const onVictim = clients.filter((client) => lastOf<Welcome>(client, 'welcome')?.pid === victim.pid);
    expect(onVictim.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    const backAt = await waitFor(
      'every client connected again',
      () =>
        clients.every(
          (client) => client.socket.connected && lastOf<Welcome>(client, 'welcome')?.pid !== victim.pid,
        )
          ? Date.now()
          : undefined,
      20_000,
      10,
    );
    await chatReachesEveryone('after the kill');
    for (const client of clients) {
      expect(client.disconnects).toBe(onVictim.includes(client) ? 1 : 0);
    }
    await recordReliability({
      'sockets.kill9.socketsOnKilledWorker': onVictim.length,
      'sockets.kill9.allBackMs': backAt - killedAt,
      'sockets.kill9.leftDisconnected': clients.filter((client) => !client.socket.connected).length,
    });
  }, 60_000);
});
