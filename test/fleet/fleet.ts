/**
 * The fleet rehearsal's harness: a Redis host (one server, or a master, a replica and 3 Sentinels),
 * two demo hosts of 2 workers each, and a balancer host with HAProxy in front of them, all on one
 * machine: each host is a network namespace (see `fleet-network.ts`). `dispose()` removes all of it, whatever failed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { skipAllowed, skipHint } from '../support/allow-skip.js';
import type { DemoCluster } from '../support/demo-cluster.js';
import { RedisSentinelTopology } from '../support/redis-sentinel-topology.js';
import { dataNodeArgv, RedisProcesses, type RedisHost } from '../support/redis-topology.js';
import { FleetBalancer } from './fleet-balancer.js';
import { FleetHost, HOST_PORT } from './fleet-host.js';
import { FleetNetwork } from './fleet-network.js';

/** The demo hosts, in the balancer's order. */
export const HOST_NAMES = ['h1', 'h2'] as const;
/** A demo host's name. */
export type HostName = (typeof HOST_NAMES)[number];
/** Which Redis the fleet shares. */
export type FleetRedis = 'single' | 'sentinel';
/** The single Redis server's port on the Redis host. */
const REDIS_PORT = 6379;

/** Why the fleet cannot run on this machine, or `undefined` when it can. */
export function fleetUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'it needs root (network namespaces), as `.ci/run` runs';
  for (const [command, args, fix] of [
    ['ip', ['-V'], 'apt-get install -y iproute2'],
    ['nft', ['--version'], 'apt-get install -y nftables'],
    ['haproxy', ['-v'], 'apt-get install -y haproxy'],
  ] as const) {
    try {
      execFileSync(command, [...args], { stdio: 'ignore' });
    } catch {
      return `\`${command}\` is missing (${fix})`;
    }
  }
  return undefined;
}

/** `run`, or `skip` when the fleet cannot run and `NEST_HIVE_ALLOW_SKIP` names `fleet`; throws otherwise. */
export function fleetSuiteMode(): 'run' | 'skip' {
  const problem = fleetUnavailable();
  if (problem === undefined) return 'run';
  if (skipAllowed('fleet')) {
    console.warn(`Skipping the fleet rehearsal: ${problem}.`);
    return 'skip';
  }
  throw new Error(`The fleet rehearsal cannot run: ${problem}. ${skipHint('fleet')}`);
}

/** Two demo hosts behind HAProxy, sharing one Redis host. */
export class Fleet {
  private readonly disposers: Array<() => Promise<unknown>> = [];
  private hostsByName = new Map<HostName, FleetHost>();
  /** The Sentinel set, with `redis: 'sentinel'`. */
  sentinel: RedisSentinelTopology | undefined;
  balancer!: FleetBalancer;

  private constructor(readonly network: FleetNetwork) {}

  /** Starts the whole fleet on `redis`; fails (having removed what it made) when any part does not start. */
  static async start(redis: FleetRedis): Promise<Fleet> {
    const fleet = new Fleet(await FleetNetwork.create(['lb', 'redis', ...HOST_NAMES]));
    fleet.disposers.push(() => fleet.network.dispose());
    try {
      const env = {
        SESSION_STORE: 'redis',
        REDIS_NAMESPACE: `fleet-${randomBytes(4).toString('hex')}`,
        // Above the balancer's time to drop a machine: a check within 1 s, a second 250 ms later.
        SHUTDOWN_DELAY_MS: '2000',
      };
      Object.assign(env, await fleet.startRedis(redis));
      for (const name of HOST_NAMES) fleet.hostsByName.set(name, new FleetHost(fleet.network, name, env));
      fleet.disposers.unshift(() => Promise.all(fleet.hosts.map((host) => host.kill())));
      await Promise.all(fleet.hosts.map((host) => host.start()));
      const servers = fleet.hosts.map(({ name }) => ({
        name,
        address: fleet.network.host(name).address,
        port: HOST_PORT,
      }));
      const lb = { address: fleet.network.host('lb').address, wrap: fleet.network.wrapper('lb') };
      fleet.balancer = await FleetBalancer.start(lb, servers);
      fleet.disposers.unshift(() => fleet.balancer.stop());
      for (const name of HOST_NAMES) await fleet.balancer.waitFor(name, 'UP');
      return fleet;
    } catch (error) {
      await fleet.dispose();
      throw error;
    }
  }

  /** The balancer's address, where users come in. */
  get url(): string {
    return this.balancer.url;
  }

  /** The demo hosts. */
  get hosts(): FleetHost[] {
    return [...this.hostsByName.values()];
  }

  /** The demo host `name`. */
  host(name: HostName): FleetHost {
    return this.hostsByName.get(name) as FleetHost;
  }

  /** The Redis host's address. */
  get redisAddress(): string {
    return this.network.host('redis').address;
  }

  /** Worker pids of every host, sorted. */
  async workerPids(): Promise<number[]> {
    const pids = await Promise.all(this.hosts.map((host) => host.workerPids()));
    return pids.flat().sort((a, b) => a - b);
  }

  /** The fleet as the failover scenarios see one demo: the balancer's address and every host's workers. */
  asDemo(): DemoCluster {
    return {
      url: this.url,
      process: this.host('h1').primary,
      workerPids: () => this.workerPids(),
      workers: async () => (await Promise.all(this.hosts.map((host) => host.workers()))).flat(),
      stop: () => this.dispose(),
    };
  }

  /** Stops everything the fleet started and removes its network; every step runs even when one fails. */
  async dispose(): Promise<void> {
    const problems: unknown[] = [];
    for (const dispose of this.disposers.splice(0))
      await dispose().catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw problems[0];
  }

  private async startRedis(redis: FleetRedis): Promise<Record<string, string>> {
    const wrap = this.network.wrapper('redis');
    const host: RedisHost = {
      address: this.redisAddress,
      command: (argv) => wrap(['redis-server', ...argv]),
    };
    if (redis === 'sentinel') {
      const sentinel = await RedisSentinelTopology.start(host);
      this.sentinel = sentinel;
      this.disposers.unshift(() => sentinel.dispose());
      return {
        REDIS_URL: '',
        REDIS_SENTINELS: sentinel.sentinelsText(),
        REDIS_SENTINEL_NAME: sentinel.masterName,
      };
    }
    const processes = new RedisProcesses(host);
    this.disposers.unshift(() => processes.dispose());
    await processes.add(REDIS_PORT, (dir) => dataNodeArgv(REDIS_PORT, dir, host)).start();
    return { REDIS_URL: `redis://${this.redisAddress}:${REDIS_PORT}` };
  }
}
