/**
 * Issue 28, the fleet rehearsal, in good health: two machines (network namespaces), each the demo on
 * 2 workers, behind HAProxy, on one Redis. A user's session works on both machines, and a logout or a
 * revoke on one is seen by the other at the next request; broadcasts and socket.io emits from either
 * machine reach every worker and socket of both; one leader-only job runs across the fleet.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoDevices } from '../support/demo-devices.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import {
  closeClients,
  connectClients,
  lastOf,
  waitAllConnected,
  type TestClient,
} from '../support/socket-clients.js';
import { requestServedBy } from '../support/worker-targeting.js';
import { Fleet, fleetSuiteMode, HOST_NAMES } from './fleet.js';
import { hostOf, hostOfPid, onEveryHost, onHost, otherHost, waitInEveryInbox } from './fleet-requests.js';

const describeFleet = fleetSuiteMode() === 'run' ? describe : describe.skip;

describeFleet('fleet: two machines behind HAProxy on one Redis', () => {
  let fleet: Fleet;
  const devices = demoDevices(() => fleet.url);

  beforeAll(async () => {
    fleet = await Fleet.start('single');
  }, 90_000);
  afterAll(() => fleet?.dispose());

  it('gives every machine one address on the fleet subnet and no route out of it', () => {
    for (const name of ['lb', 'redis', ...HOST_NAMES]) {
      const { address } = fleet.network.host(name);
      const subnet = address.replace(/\.\d+$/, '.0/24');
      expect(fleet.network.routes(name)).toEqual([
        `${subnet} dev eth0 proto kernel scope link src ${address}`,
      ]);
    }
  });

  it("keeps a user's session on both machines, and each sees the other's logouts and revokes at once", async () => {
    const ada = await devices.login('fleet-ada', 'laptop');
    const served: string[] = [];
    for (let visit = 1; visit <= 8; visit++) {
      const reply = await freshRequest(`${fleet.url}/api/visits`, { cookie: ada.cookie });
      expect(reply.json).toMatchObject({ visits: visit });
      served.push(hostOf(reply));
    }
    expect(new Set(served)).toEqual(new Set(HOST_NAMES));

    for (const [round, host] of [...HOST_NAMES, ...HOST_NAMES].entries()) {
      const device = await devices.login(`fleet-logout-${round}`, 'laptop');
      // Both machines read the session (and may keep a copy) before the logout.
      for (const reply of await onEveryHost(fleet, '/api/auth/me', { cookie: device.cookie }))
        expect(reply.status).toBe(200);
      expect(
        (await onHost(fleet, host, '/api/auth/logout', { method: 'POST', cookie: device.cookie })).status,
      ).toBe(200);
      const next = await onHost(fleet, otherHost(host), '/api/auth/me', { cookie: device.cookie });
      expect({ after: `logout on ${host}`, status: next.status }).toEqual({
        after: `logout on ${host}`,
        status: 401,
      });
    }

    for (const host of HOST_NAMES) {
      const user = `fleet-grace-${host}`;
      const laptop = await devices.login(user, 'laptop');
      const phone = await devices.login(user, 'phone');
      for (const reply of await onEveryHost(fleet, '/api/auth/me', { cookie: phone.cookie }))
        expect(reply.status).toBe(200);
      const listed = await devices.list(laptop);
      const handle = listed.find((line) => line.split(' ')[1] === 'phone')?.split(' ')[0];
      const revoke = await onHost(fleet, host, `/api/auth/sessions/${handle}`, {
        method: 'DELETE',
        cookie: laptop.cookie,
      });
      expect(revoke.status).toBe(204);
      const next = await onHost(fleet, otherHost(host), '/api/auth/me', { cookie: phone.cookie });
      expect({ after: `revoke on ${host}`, status: next.status }).toEqual({
        after: `revoke on ${host}`,
        status: 401,
      });
      for (const reply of await onEveryHost(fleet, '/api/auth/me', { cookie: laptop.cookie }))
        expect(reply.status).toBe(200);
      expect((await devices.list(laptop)).map((line) => line.split(' ')[1])).toEqual(['laptop']);
    }
  }, 60_000);

  it('delivers a broadcast and a socket.io emit from either machine to every worker and socket of both', async () => {
    for (const host of HOST_NAMES) {
      const sent = await onHost(fleet, host, '/api/cluster/broadcast', { body: { message: `from ${host}` } });
      expect(sent.status).toBe(202);
      const ms = await waitInEveryInbox(fleet, (sent.json as { id: unknown }).id);
      console.log(JSON.stringify({ broadcastFrom: host, inEveryInboxMs: ms }));
    }

    // WebSocket clients spread by round robin, and long-polling ones kept on a host by HAProxy's cookie.
    const clients: TestClient[] = [
      ...connectClients(fleet.url, 6, ['welcome', 'chat'], { transports: ['websocket'] }),
      ...connectClients(fleet.url, 4, ['welcome', 'chat'], {
        transports: ['polling'],
        withCredentials: true,
      }),
    ];
    try {
      await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
      const hostOfClient = new Map<TestClient, string>();
      for (const client of clients) {
        const { pid } = lastOf<{ pid: number }>(client, 'welcome') as { pid: number };
        hostOfClient.set(client, await hostOfPid(fleet, pid));
      }
      expect(new Set(hostOfClient.values())).toEqual(new Set(HOST_NAMES));
      for (const host of HOST_NAMES) {
        const sender = clients.find((client) => hostOfClient.get(client) === host) as TestClient;
        const text = `hello from ${host}`;
        sender.socket.emit('chat', { text });
        const heard = (client: TestClient) =>
          (client.received.get('chat') ?? []).some((message) => (message as { text: string }).text === text);
        await waitFor(
          `"${text}" on every socket`,
          () => (clients.every(heard) ? true : undefined),
          5_000,
          20,
        );
      }
      expect(clients.map((client) => client.disconnects)).toEqual(clients.map(() => 0));
    } finally {
      closeClients(clients);
    }
  }, 60_000);

  it('runs the leader-only job in one worker of the whole fleet', async () => {
    const leaderReply = await waitFor(
      'a fleet leader',
      async () => {
        const replies = await onEveryHost(fleet, '/api/cluster/leader');
        return replies.every((reply) => reply.status === 200) ? replies : undefined;
      },
      15_000,
      200,
    );
    const leaders = leaderReply.map((reply) => reply.json as { pid: number; fencingToken: number });
    expect(leaders[1]).toEqual(leaders[0]);
    const leader = leaders[0];
    const ticks = async () => {
      const byPid = new Map<number, number>();
      for (const host of fleet.hosts) {
        for (const pid of await host.workerPids()) {
          const reply = await requestServedBy(`${host.url}/api/jobs/ticks`, pid);
          byPid.set(pid, (reply.json as { ticks: number }).ticks);
        }
      }
      return byPid;
    };
    const before = await ticks();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = await ticks();
    const ticked = [...after].filter(([pid, count]) => count > (before.get(pid) ?? 0)).map(([pid]) => pid);
    const leaderTicks = (after.get(leader.pid) ?? 0) - (before.get(leader.pid) ?? 0);
    console.log(
      JSON.stringify({
        leader,
        leaderHost: await hostOfPid(fleet, leader.pid),
        leaderTicksIn3s: leaderTicks,
      }),
    );
    expect(ticked).toEqual([leader.pid]);
    expect([...after.keys()]).toHaveLength(4);
    expect(leaderTicks).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
