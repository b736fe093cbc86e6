/**
 * Issue 23, Redis Cluster: the demo (2 workers, sessions and broadcasts on Redis) under load from
 * 10 logged-in users survives a `CLUSTER FAILOVER` (quick, or slowed by stalled voters) and a
 * `kill -9` of a master holding some of their sessions, with session routes back within 6 s, no
 * request hanging, no process restarted and every user still logged in; a `CLUSTER FAILOVER` loses
 * no acknowledged write, a `kill -9` at most those acknowledged in the second before it, and none
 * with durable writes (refused with 503 until the killed node, restarted, replicates its promoted
 * replica). Each scenario prints one JSON line of figures.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { logInUsers, runFailoverScenario, type LoadUser } from '../support/failover-load.js';
import { waitFor } from '../support/processes.js';
import { RedisClusterTopology } from '../support/redis-cluster-topology.js';

/** Session routes answer again within this long after a fault (issue 23). */
const CLUSTER_RECOVERY_MS = 6_000;
/** With durable writes, writes to the killed master's slots are refused until the node is back as a replica. */
const DURABLE_RECOVERY_MS = 20_000;
const USERS = 10;

describe('failovers under load on Redis Cluster (demo, 2 workers)', () => {
  let topology: RedisClusterTopology;
  let demo: DemoCluster;
  let durableDemo: DemoCluster;
  const namespaces = { plain: '', durable: '' };

  beforeAll(async () => {
    topology = await RedisClusterTopology.start();
    const env = (durable: boolean) => {
      const namespace = `test-failover-${randomBytes(4).toString('hex')}`;
      namespaces[durable ? 'durable' : 'plain'] = namespace;
      return {
        SESSION_STORE: 'redis',
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: topology.nodesText(),
        REDIS_NAMESPACE: namespace,
        REDIS_DURABLE_WRITES: durable ? '1' : '0',
      };
    };
    [demo, durableDemo] = await Promise.all([
      startDemoCluster(2, env(false)),
      startDemoCluster(2, env(true)),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([demo?.stop(), durableDemo?.stop()]);
    await topology?.dispose();
  });

  /** The master holding the sessions of the most users, and those users (by index). */
  async function busiestMaster(users: readonly LoadUser[], namespace: string) {
    const masters = await Promise.all(
      users.map((user) => topology.masterOf(`${namespace}:sess:{${user.sessionId}}`)),
    );
    const count = (port: number) => masters.filter((other) => other === port).length;
    const port = masters.reduce((best, candidate) => (count(candidate) > count(best) ? candidate : best));
    const affected = users.map((_, index) => index).filter((index) => masters[index] === port);
    return { port, affected };
  }

  /** Restarts a killed master once its replica owns its slots (restarted before, it would come back empty). */
  async function restartAfterPromotion(port: number): Promise<void> {
    await waitFor(
      `a replica of ${port} to take its slots`,
      async () => ((await topology.masters()).some((master) => master.port === port) ? undefined : true),
      15_000,
      100,
    );
    await topology.restart(port);
  }

  it('kill -9 of a master holding sessions, with durable writes: none lost, refusals are 503s', async () => {
    const users = await logInUsers(durableDemo.url, USERS, 'durable');
    const { port, affected } = await busiestMaster(users, namespaces.durable);
    let restarted: Promise<void> | undefined;
    try {
      await runFailoverScenario({
        topology: 'cluster',
        fault: `kill -9 of a master (${affected.length} users')`,
        durable: true,
        demo: durableDemo,
        users,
        affected,
        inject: async () => {
          await topology.kill(port);
          // Back as the replica of its promoted replica, so that writes to its slots are replicated again.
          restarted = restartAfterPromotion(port);
          restarted.catch(() => undefined); // awaited (and thrown) below
        },
        recoveryBoundMs: DURABLE_RECOVERY_MS,
        lostBound: 'none',
        healthDownAndUp: true,
      });
    } finally {
      await restarted;
      await topology.waitHealthy(30_000);
    }
  }, 90_000);

  /** A `CLUSTER FAILOVER` of the master holding most sessions, under load: no acknowledged write lost. */
  async function manualFailover(label: string, fault: string, stallVotersMs = 0): Promise<void> {
    const users = await logInUsers(demo.url, USERS, label);
    const { port, affected } = await busiestMaster(users, namespaces.plain);
    try {
      await runFailoverScenario({
        topology: 'cluster',
        fault: `${fault} (${affected.length} users' master)`,
        durable: false,
        demo,
        users,
        affected,
        inject: () => topology.failover(port, { stallVotersMs }),
        recoveryBoundMs: CLUSTER_RECOVERY_MS,
        lostBound: 'none',
        healthDownAndUp: false,
      });
    } finally {
      await topology.waitHealthy(30_000);
    }
  }

  // The other masters stalled while the replica waits for their votes: the old master holds writes
  // (503 at the operation timeout) and clients' slot maps go back and forth. A session read by
  // plain commands was answered by the old master meanwhile, without the writes the new one had
  // acknowledged, and the route wrote that older counter back (12 to 70 acknowledged writes lost
  // in 6 of 8 trials); read by a script, the paused master holds the read too.
  it(
    'a slow CLUSTER FAILOVER (the other masters stalled 2.5 s): no acknowledged write lost',
    () => manualFailover('slow-failover', 'slow CLUSTER FAILOVER', 2_500),
    60_000,
  );

  it(
    'CLUSTER FAILOVER on the replica of a master holding sessions: no acknowledged write lost',
    () => manualFailover('failover', 'CLUSTER FAILOVER'),
    60_000,
  );

  it('kill -9 of a master holding sessions', async () => {
    const users = await logInUsers(demo.url, USERS, 'kill');
    const { port, affected } = await busiestMaster(users, namespaces.plain);
    let killed = false;
    try {
      await runFailoverScenario({
        topology: 'cluster',
        fault: `kill -9 of a master (${affected.length} users')`,
        durable: false,
        demo,
        users,
        affected,
        inject: async () => {
          await topology.kill(port);
          killed = true;
        },
        recoveryBoundMs: CLUSTER_RECOVERY_MS,
        lostBound: 'last second',
        healthDownAndUp: true,
      });
    } finally {
      if (killed) await restartAfterPromotion(port);
      await topology.waitHealthy(30_000);
    }
  }, 60_000);
});
