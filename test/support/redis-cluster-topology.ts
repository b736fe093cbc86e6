import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from './processes.js';
import {
  RedisProcesses,
  waitUntilHealthy,
  type Sharing,
  addressesText,
  dataNodeArgv,
  freePorts,
  infoFields,
  localAddress,
  parseAddresses,
  redisCommand,
  replication,
  type RedisNodeAddress,
} from './redis-topology.js';

/** Lists the nodes of the Cluster `.ci/run` started (`127.0.0.1:7000,...`). */
export const CLUSTER_NODES_VARIABLE = 'NEST_HIVE_REDIS_CLUSTER_NODES';

/** Options of {@link RedisClusterTopology.start}. */
export interface ClusterTopologyOptions {
  /** `cluster-node-timeout`: how long a node stays unreachable before its replica takes over (2000 ms). */
  readonly nodeTimeoutMs?: number;
}

/** A master as the nodes report it: its port, its (first live) replica's port and how many slots it owns. */
export interface ClusterMaster {
  readonly port: number;
  readonly replica: number | undefined;
  readonly slots: number;
}

/** One line of `CLUSTER NODES`. */
interface ClusterNodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly masterId: string | undefined;
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

let fileShared: Promise<RedisClusterTopology> | undefined;
let fileSharedUsers = 0;

/**
 * A Redis Cluster of real `redis-server` processes: 3 masters with a replica
 * each, on free ports of 127.0.0.1. Ports identify the nodes.
 */
export class RedisClusterTopology {
  private constructor(
    /** Every node, masters and replicas. */
    readonly nodes: readonly RedisNodeAddress[],
    private readonly processes: RedisProcesses | undefined,
    private readonly sharing: Sharing,
  ) {}

  /**
   * Starts 3 masters + 3 replicas (`cluster-node-timeout` 2000 ms by default)
   * and resolves once every node says `cluster_state:ok` and every replica
   * `master_link_status:up`.
   */
  static start(options: ClusterTopologyOptions = {}): Promise<RedisClusterTopology> {
    return RedisClusterTopology.launch(options, 'own');
  }

  /**
   * The Cluster `.ci/run` started (`NEST_HIVE_REDIS_CLUSTER_NODES`), or, when
   * that variable is unset, one started for this test file and shared by its
   * callers (stopped by the last `dispose()`). The CI one is never stopped.
   * For tests that do not fault the topology: `kill`, `failover` and `restart` throw.
   */
  static async shared(env: NodeJS.ProcessEnv = process.env): Promise<RedisClusterTopology> {
    const listed = env[CLUSTER_NODES_VARIABLE];
    if (listed)
      return new RedisClusterTopology(parseAddresses(listed, CLUSTER_NODES_VARIABLE), undefined, 'ci');
    fileSharedUsers += 1;
    fileShared ??= RedisClusterTopology.launch({}, 'file');
    try {
      return await fileShared;
    } catch (error) {
      fileSharedUsers -= 1;
      fileShared = undefined;
      throw error;
    }
  }

  private static async launch(options: ClusterTopologyOptions, sharing: Sharing) {
    const processes = new RedisProcesses();
    try {
      const ports = await freePorts(6, true);
      for (const port of ports) {
        processes.add(port, (dir) => [
          ...dataNodeArgv(port, dir),
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2_000)],
        ]);
      }
      await Promise.all(ports.map((port) => processes.get(port).start()));
      const topology = new RedisClusterTopology(ports.map(localAddress), processes, sharing);
      await createCluster(topology.nodesText().split(','));
      await topology.waitHealthy();
      return topology;
    } catch (error) {
      await processes.dispose();
      throw error;
    }
  }

  /** `127.0.0.1:7000,127.0.0.1:7001,...` */
  nodesText(): string {
    return addressesText(this.nodes);
  }

  /** The masters owning slots (by port), each with a replica that is not flagged as failed, as a live node says now. */
  async masters(): Promise<ClusterMaster[]> {
    const lines = await this.view();
    return lines
      .filter(ownsSlots)
      .map((master) => ({
        port: master.port,
        replica: lines.find((line) => line.masterId === master.id && !failed(line))?.port,
        slots: slotCount(master),
      }))
      .sort((a, b) => a.port - b.port);
  }

  /** The port of the master that owns the slot of `key`. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await redisCommand(this.liveNodes()[0], 'CLUSTER', 'KEYSLOT', key));
    const owner = (await this.view()).find(
      (line) => line.flags.includes('master') && line.slots.some(([from, to]) => from <= slot && slot <= to),
    );
    if (owner === undefined) throw new Error(`No master owns slot ${slot} (of "${key}")`);
    return owner.port;
  }

  /** `kill -9` of the node on `port`. Its replica takes over after `nodeTimeoutMs` (and a vote). */
  async kill(port: number): Promise<void> {
    const node = this.owned('kill').get(port);
    if (!node.alive) throw new Error(`The node on ${port} is not running`);
    await node.kill();
  }

  /**
   * `CLUSTER FAILOVER` sent to the replica of `masterPort` (with `FORCE` when
   * that master was killed); resolves with the replica's port once every
   * running node sees it as the master of those slots. Sent again every 3 s
   * meanwhile: a replica asked within 4 node timeouts of its own last election
   * "wins" with that stale election and is demoted again at once. Call
   * `waitHealthy()` before the next fault.
   *
   * `stallVotersMs` makes it a slow failover: once the command is sent, the
   * other masters are stopped (`SIGSTOP`) that long, so the replica waits for
   * their votes while the old master holds writes (a manual failover pauses
   * them).
   */
  async failover(masterPort: number, { timeoutMs = 25_000, stallVotersMs = 0 } = {}): Promise<number> {
    const processes = this.owned('failover');
    const masters = await this.masters();
    const master = masters.find(({ port }) => port === masterPort);
    if (master === undefined) throw new Error(`${masterPort} is not a master owning slots`);
    const replica = master.replica;
    if (replica === undefined) throw new Error(`Master ${masterPort} has no live replica to promote`);
    const force = processes.get(masterPort).alive ? [] : ['FORCE'];
    const voters = masters.filter(({ port }) => port !== masterPort).map(({ port }) => processes.get(port));
    let stalled = stallVotersMs === 0;
    let sentAt = 0;
    await waitFor(
      `replica ${replica} of ${masterPort} to own its slots in every node's view`,
      async () => {
        const views = await Promise.all(this.liveNodes().map((node) => this.view(node)));
        if (views.every((lines) => lines.some((line) => line.port === replica && ownsSlots(line))))
          return true;
        if (Date.now() - sentAt < 3_000) return undefined;
        sentAt = Date.now();
        await redisCommand(localAddress(replica), 'CLUSTER', 'FAILOVER', ...force);
        if (!stalled) {
          stalled = true;
          await Promise.all(voters.map((voter) => voter.freeze(stallVotersMs)));
        }
        return undefined;
      },
      timeoutMs,
      100,
    );
    return replica;
  }

  /**
   * Starts a killed node again on its port and directory; with its
   * `nodes.conf` it rejoins by itself, as a replica when its replica was
   * promoted meanwhile. Restarting a master before that promotion brings it
   * back as an empty master (nothing is kept on disk) and its replica copies
   * the emptiness. Call `waitHealthy()` before the next fault.
   */
  async restart(port: number): Promise<void> {
    await this.owned('restart').get(port).start();
  }

  /**
   * Waits (bounded) until every running node says `cluster_state:ok`, flags no
   * node as failed, agrees on the masters, their slots and replicas, and every master
   * has a replica reporting `master_link_status:up`. A node killed and not
   * restarted keeps this from passing.
   */
  async waitHealthy(timeoutMs?: number): Promise<void> {
    await waitUntilHealthy('a healthy Redis Cluster', () => this.healthProblem(), timeoutMs);
  }

  /** Stops every process it started (SIGKILL) and removes their directory; a shared topology stays up for its other users. */
  async dispose(): Promise<void> {
    if (this.sharing === 'ci') return;
    if (this.sharing === 'file') {
      fileSharedUsers -= 1;
      if (fileSharedUsers > 0) return;
      fileShared = undefined;
    }
    await this.processes?.dispose();
  }

  private owned(action: string): RedisProcesses {
    if (this.sharing !== 'own' || this.processes === undefined)
      throw new Error(`${action}(): a shared topology is never faulted; use RedisClusterTopology.start()`);
    return this.processes;
  }

  private liveNodes(): RedisNodeAddress[] {
    const processes = this.processes;
    const live = processes ? this.nodes.filter(({ port }) => processes.get(port).alive) : [...this.nodes];
    if (live.length === 0) throw new Error('No node of the Cluster is running');
    return live;
  }

  /** `CLUSTER NODES` of `node` (by default the first running one). */
  private async view(node = this.liveNodes()[0]): Promise<ClusterNodeLine[]> {
    return parseClusterNodes(await redisCommand(node, 'CLUSTER', 'NODES'));
  }

  private async healthProblem(): Promise<string | undefined> {
    let reference: { port: number; masters: string; lines: ClusterNodeLine[] } | undefined;
    for (const node of this.liveNodes()) {
      const state = infoFields(await redisCommand(node, 'CLUSTER', 'INFO')).get('cluster_state');
      if (state !== 'ok') return `${node.port} says cluster_state:${state}`;
      const lines = await this.view(node);
      const flagged = lines.find((line) => failed(line) || line.flags.includes('handshake'));
      if (flagged) return `${node.port} flags ${flagged.port} ${flagged.flags.join(',')}`;
      // Every node must know every master's slots and replicas (a master ignores a manual failover
      // requested by a node it does not know yet as its replica).
      const masters = lines
        .filter(ownsSlots)
        .map((master) => {
          const replicas = lines.filter((line) => line.masterId === master.id).map(({ port }) => port);
          return `${master.port}[${master.slots.map((range) => range.join('-')).join(' ')}]<-${replicas.sort().join('+')}`;
        })
        .sort()
        .join(', ');
      if (reference === undefined) reference = { port: node.port, masters, lines };
      else if (masters !== reference.masters)
        return `${node.port} sees masters ${masters}, ${reference.port} sees ${reference.masters}`;
    }
    const lines = reference?.lines ?? [];
    for (const master of lines.filter(ownsSlots)) {
      const replicas = lines.filter((line) => line.masterId === master.id);
      if (replicas.length === 0) return `master ${master.port} has no replica`;
      const links = await Promise.all(replicas.map(({ port }) => replication(localAddress(port))));
      const up = (info: Map<string, string>) =>
        Number(info.get('master_port')) === master.port && info.get('master_link_status') === 'up';
      if (!links.some(up)) return `no replica of ${master.port} reports master_link_status:up`;
    }
    return undefined;
  }
}

async function createCluster(nodes: string[]): Promise<void> {
  const args = ['--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'];
  await promisify(execFile)('redis-cli', args, { timeout: 30_000 }).catch(
    (error: Error & { stdout?: string }) => {
      throw new Error(`redis-cli ${args.join(' ')} failed: ${error.message}\n${error.stdout ?? ''}`);
    },
  );
}

function parseClusterNodes(reply: unknown): ClusterNodeLine[] {
  return String(reply)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(' ');
      const hostPort = address.split('@')[0];
      return {
        id,
        port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
        flags: flags.split(','),
        masterId: master === '-' ? undefined : master,
        // Entries like [5461->-<id>] are slots being migrated, not owned.
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [from, to = from] = slot.split('-').map(Number);
            return [from, to] as const;
          }),
      };
    });
}

const failed = (line: ClusterNodeLine) =>
  ['fail', 'fail?', 'noaddr'].some((flag) => line.flags.includes(flag));
const ownsSlots = (line: ClusterNodeLine) => line.flags.includes('master') && slotCount(line) > 0;
const slotCount = (line: ClusterNodeLine) => line.slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
