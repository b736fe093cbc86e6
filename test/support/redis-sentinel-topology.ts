import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './processes.js';
import {
  RedisProcesses,
  waitUntilHealthy,
  type Sharing,
  addressesText,
  dataNodeArgv,
  freePorts,
  LOOPBACK_HOST,
  type RedisHost,
  parseAddresses,
  redisCommand,
  replication,
  replyPairs,
  type RedisNodeAddress,
} from './redis-topology.js';

/** Lists the Sentinels `.ci/run` started (`127.0.0.1:26390,...`). */
export const SENTINELS_VARIABLE = 'NEST_HIVE_REDIS_SENTINELS';

/** The name the Sentinels of `.ci/run` monitor (`mymaster` when unset). */
export const SENTINEL_NAME_VARIABLE = 'NEST_HIVE_REDIS_SENTINEL_NAME';

let fileShared: Promise<RedisSentinelTopology> | undefined;
let fileSharedUsers = 0;

/**
 * A master, its replica and 3 Sentinels, real `redis-server` processes on
 * free ports of 127.0.0.1, monitoring `mymaster` (quorum 2,
 * `down-after-milliseconds` 2000, `failover-timeout` 5000). Ports identify the nodes.
 *
 * Not 1000 ms: after promoting a replica in place of a killed master, a
 * Sentinel reconnects to the new master up to 1 s later (once a second at
 * most); with 1000 ms it sometimes declared that healthy master down and,
 * counting the others' votes against the dead one, failed over back to the
 * freshly restarted node (1 kill in 8 here).
 */
export class RedisSentinelTopology {
  private constructor(
    /** The Sentinels (not the data nodes: clients find those through the Sentinels). */
    readonly sentinels: readonly RedisNodeAddress[],
    /** The monitored master's name. */
    readonly masterName: string,
    private readonly processes: RedisProcesses | undefined,
    private readonly dataPorts: readonly number[],
    private readonly sharing: Sharing,
    private readonly host: RedisHost = LOOPBACK_HOST,
  ) {}

  /**
   * Starts it on `host` (by default this machine's loopback); ready once the replica reports
   * `master_link_status:up` and each Sentinel sees the replica and the 2 other Sentinels.
   */
  static start(host: RedisHost = LOOPBACK_HOST): Promise<RedisSentinelTopology> {
    return RedisSentinelTopology.launch('own', host);
  }

  /**
   * The Sentinels `.ci/run` started (`NEST_HIVE_REDIS_SENTINELS`,
   * `NEST_HIVE_REDIS_SENTINEL_NAME`), or, when unset, a topology started for
   * this test file and shared by its callers (stopped by the last
   * `dispose()`). The CI one is never stopped. For tests that do not fault
   * the topology: `failover`, `killMaster` and `restart` throw.
   */
  static async shared(env: NodeJS.ProcessEnv = process.env): Promise<RedisSentinelTopology> {
    const listed = env[SENTINELS_VARIABLE];
    if (listed) {
      const sentinels = parseAddresses(listed, SENTINELS_VARIABLE);
      return new RedisSentinelTopology(
        sentinels,
        env[SENTINEL_NAME_VARIABLE] || 'mymaster',
        undefined,
        [],
        'ci',
      );
    }
    fileSharedUsers += 1;
    fileShared ??= RedisSentinelTopology.launch('file');
    try {
      return await fileShared;
    } catch (error) {
      fileSharedUsers -= 1;
      fileShared = undefined;
      throw error;
    }
  }

  private static async launch(sharing: Sharing, host = LOOPBACK_HOST): Promise<RedisSentinelTopology> {
    const processes = new RedisProcesses(host);
    try {
      const [master, replica, ...sentinelPorts] = await freePorts(5);
      for (const port of [master, replica]) processes.add(port, (dir) => dataNodeArgv(port, dir, host));
      await processes.get(master).start();
      await processes.get(replica).start(['--replicaof', host.address, String(master)]);
      for (const port of sentinelPorts) {
        const conf = (dir: string) => writeSentinelConf(port, dir, host.address, master);
        await processes.add(port, (dir) => [conf(dir), '--sentinel']).start();
      }
      const sentinels = sentinelPorts.map((port) => ({ host: host.address, port }));
      const topology = new RedisSentinelTopology(
        sentinels,
        'mymaster',
        processes,
        [master, replica],
        sharing,
        host,
      );
      await topology.waitHealthy();
      return topology;
    } catch (error) {
      await processes.dispose();
      throw error;
    }
  }

  /** `127.0.0.1:26379,127.0.0.1:26380,...` */
  sentinelsText(): string {
    return addressesText(this.sentinels);
  }

  /** The master port most running Sentinels report now (`SENTINEL GET-MASTER-ADDR-BY-NAME`). */
  async master(): Promise<number> {
    const reports = await this.masterReports();
    const answered = reports.filter((port): port is number => port !== undefined);
    if (answered.length === 0) throw new Error(`No Sentinel reports a master for ${this.masterName}`);
    const votes = (port: number) => answered.filter((other) => other === port).length;
    return answered.reduce((best, port) => (votes(port) > votes(best) ? port : best));
  }

  /**
   * `SENTINEL FAILOVER <name>`; resolves with the new master's port once
   * every Sentinel reports it and it says `role:master`. The old master stays
   * a master (taking writes) until a Sentinel converts it about 10 s later;
   * `waitHealthy()` waits for that: call it before the next fault.
   */
  async failover(timeoutMs = 15_000): Promise<number> {
    this.owned('failover');
    const before = await this.master();
    await waitFor(
      `Sentinel ${this.sentinels[0].port} to accept SENTINEL FAILOVER ${this.masterName}`,
      async () => {
        const accepted = await redisCommand(this.sentinels[0], 'SENTINEL', 'FAILOVER', this.masterName).catch(
          (error: Error) => (error.message.includes('INPROG') ? 'INPROG' : Promise.reject(error)),
        );
        return accepted !== undefined ? true : undefined;
      },
      5_000,
      200,
    );
    return this.waitForNewMaster(before, timeoutMs);
  }

  /** `kill -9` of the current master's `redis-server`; returns its port. The Sentinels promote the replica within a few seconds. */
  async killMaster(): Promise<number> {
    const processes = this.owned('killMaster');
    const port = await this.master();
    await processes.get(port).kill();
    return port;
  }

  /**
   * Starts a killed data node again on its port, as a replica of the master
   * the Sentinels report (`--replicaof`), after waiting (bounded) for them
   * to promote another node when the killed one was the master. Call
   * `waitHealthy()` before the next fault.
   */
  async restart(port: number, timeoutMs = 15_000): Promise<void> {
    const node = this.owned('restart').get(port);
    if (node.alive) throw new Error(`The node on ${port} is running`);
    const master = await waitFor(
      `the Sentinels to report a master other than ${port}`,
      async () => {
        const current = await this.master();
        return current !== port ? current : undefined;
      },
      timeoutMs,
      100,
    );
    await node.start(['--replicaof', this.host.address, String(master)]);
  }

  /**
   * Waits (bounded) until the running Sentinels agree on one master that says
   * `role:master`, each sees the replica (not down) and the other 2
   * Sentinels, and the other data node is its replica with
   * `master_link_status:up` (so a demoted old master says `role:slave`).
   */
  async waitHealthy(timeoutMs?: number): Promise<void> {
    await waitUntilHealthy(
      `a healthy Sentinel topology (${this.masterName})`,
      () => this.healthProblem(),
      timeoutMs,
    );
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

  /** The data node on `port` of this topology's host. */
  private dataNode(port: number): RedisNodeAddress {
    return { host: this.host.address, port };
  }

  private owned(action: string): RedisProcesses {
    if (this.sharing !== 'own' || this.processes === undefined)
      throw new Error(`${action}(): a shared topology is never faulted; use RedisSentinelTopology.start()`);
    return this.processes;
  }

  private async masterReports(): Promise<Array<number | undefined>> {
    return Promise.all(
      this.sentinels.map(async (sentinel) => {
        const reply = await redisCommand(
          sentinel,
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          this.masterName,
        ).catch(() => undefined);
        return Array.isArray(reply) ? Number(reply[1]) : undefined;
      }),
    );
  }

  private async waitForNewMaster(before: number, timeoutMs: number): Promise<number> {
    return waitFor(
      `every Sentinel to report a master other than ${before}`,
      async () => {
        const reports = await this.masterReports();
        const [first] = reports;
        if (first === undefined || first === before || reports.some((port) => port !== first))
          return undefined;
        return (await replication(this.dataNode(first))).get('role') === 'master' ? first : undefined;
      },
      timeoutMs,
      100,
    );
  }

  private async healthProblem(): Promise<string | undefined> {
    const reports = await this.masterReports();
    const master = reports[0];
    if (master === undefined || reports.some((port) => port !== master))
      return `the Sentinels report masters ${reports.join(', ')}`;
    const role = (await replication(this.dataNode(master))).get('role');
    if (role !== 'master') return `the reported master ${master} says role:${role}`;
    let replicas = this.dataPorts.filter((port) => port !== master);
    for (const sentinel of this.sentinels) {
      const seen = replyPairs(await redisCommand(sentinel, 'SENTINEL', 'MASTER', this.masterName));
      const summary = `Sentinel ${sentinel.port} sees ${this.masterName} ${seen.get('flags')}, num-slaves ${seen.get('num-slaves')}, num-other-sentinels ${seen.get('num-other-sentinels')}`;
      if (seen.get('flags') !== 'master' || seen.get('num-slaves') !== '1') return summary;
      if (Number(seen.get('num-other-sentinels')) !== this.sentinels.length - 1) return summary;
      const entries = await redisCommand(sentinel, 'SENTINEL', 'REPLICAS', this.masterName);
      // Only its flags: a Sentinel refreshes a replica's INFO (role, link) every 10 s; the node itself is asked below.
      for (const entry of (entries as unknown[]).map(replyPairs)) {
        if (entry.get('flags') !== 'slave')
          return `Sentinel ${sentinel.port} sees replica ${entry.get('port')} ${entry.get('flags')}`;
      }
      if (this.sharing === 'ci')
        replicas = (entries as unknown[]).map((entry) => Number(replyPairs(entry).get('port')));
    }
    for (const port of replicas) {
      const info = await replication(this.dataNode(port));
      if (Number(info.get('master_port')) !== master || info.get('master_link_status') !== 'up')
        return `data node ${port} says role:${info.get('role')}, master_port:${info.get('master_port')}, master_link_status:${info.get('master_link_status')}`;
    }
    return undefined;
  }
}

/** A Sentinel's conf file (Sentinel rewrites it, so it lives in the node's own directory). */
function writeSentinelConf(port: number, dir: string, address: string, masterPort: number): string {
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    `bind ${address}`,
    `protected-mode ${address === LOOPBACK_HOST.address ? 'yes' : 'no'}`,
    'daemonize no',
    `dir ${dir}`,
    `logfile ${join(dir, 'redis.log')}`,
    `sentinel announce-ip ${address}`,
    `sentinel monitor mymaster ${address} ${masterPort} 2`,
    'sentinel down-after-milliseconds mymaster 2000',
    'sentinel failover-timeout mymaster 5000',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
