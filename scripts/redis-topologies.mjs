#!/usr/bin/env node
// The Redis Cluster and Sentinel topologies .ci/run starts for the tests that share them without faulting them
// (RedisClusterTopology.shared() and RedisSentinelTopology.shared() in test/support, through the
// NEST_HIVE_REDIS_* variables). Node built-ins, redis-server and redis-cli only.
//
//   node scripts/redis-topologies.mjs start   starts both (or reuses them when they already run healthy) and
//                                             prints the variables to export, one NAME=value a line
//   node scripts/redis-topologies.mjs stop    stops what `start` started and removes its directory
//
// Cluster: 3 masters + 3 replicas on 127.0.0.1:7000-7005 (bus 17000-17005), cluster-node-timeout 2000.
// Sentinel: master 6390, replica 6391, Sentinels 26390-26392 monitoring `mymaster` (quorum 2,
// down-after-milliseconds 2000, failover-timeout 5000; test/support/redis-sentinel-topology.ts says why not 1000).
// Nothing is kept on disk; every process runs daemonized with a pidfile under the directory below, which is how
// `stop` and a second `start` know their own.
import { execFileSync, spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const BASE = '/tmp/nest-hive-ci-topologies';
const NAME = 'mymaster';
const TIMEOUT_MS = 30_000;
const CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005];
const [MASTER_PORT, REPLICA_PORT] = [6390, 6391];
const SENTINEL_PORTS = [26390, 26391, 26392];
const addresses = (ports) => ports.map((port) => `127.0.0.1:${port}`).join(',');

const log = (message) => process.stderr.write(`${message}\n`);
const fail = (message) => {
  log(`redis-topologies: ${message}`);
  process.exit(1);
};

/** The output of `redis-cli -p <port> ...args`, or undefined when it cannot connect. (Error replies exit 0.) */
function cli(port, ...args) {
  try {
    const options = { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'pipe'] };
    return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], options).trim();
  } catch {
    return undefined;
  }
}

/** The `key:value` lines of INFO / CLUSTER INFO output. */
function fields(text = '') {
  return new Map(text.split('\n').map((line) => line.trim().split(/:(.*)/).slice(0, 2)));
}

/** redis-cli prints an array reply one element a line: `key`, `value`, `key`, `value` … */
function pairs(text = '') {
  const items = text.split('\n').map((line) => line.trim());
  return new Map(items.flatMap((item, index) => (index % 2 === 0 ? [[item, items[index + 1]]] : [])));
}

const dirOf = (kind, port) => join(BASE, kind, String(port));
const pidfileOf = (kind, port) => join(dirOf(kind, port), 'redis.pid');

function dataNodeArgs(kind, port) {
  const dir = dirOf(kind, port);
  mkdirSync(dir, { recursive: true });
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes'],
    ...['--pidfile', pidfileOf(kind, port), '--logfile', join(dir, 'redis.log'), '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--rdb-del-sync-files', 'yes'],
  ];
}

function daemon(args) {
  const result = spawnSync('redis-server', args, { stdio: 'ignore' });
  if (result.status !== 0)
    fail(`redis-server ${args.join(' ')} failed (${result.error?.message ?? result.status})`);
}

async function waitUntil(what, problem, logs) {
  const deadline = Date.now() + TIMEOUT_MS;
  let last;
  while (Date.now() < deadline) {
    last = problem();
    if (last === undefined) return;
    await sleep(100);
  }
  const tails = logs
    .filter((file) => existsSync(file))
    .map((file) => `--- ${file}\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10).join('\n')}`);
  fail(`timed out after ${TIMEOUT_MS} ms waiting for ${what}: ${last}\n${tails.join('\n')}`);
}

function parseClusterNodes(text = '') {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(' ');
      const owned = slots.filter((slot) => !slot.startsWith('['));
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        flags: flags.split(','),
        master,
        owned,
      };
    });
}

const cluster = {
  title: 'Redis Cluster',
  kind: 'cluster',
  ports: CLUSTER_PORTS,
  busPorts: CLUSTER_PORTS.map((port) => port + 10_000),
  async start() {
    for (const port of CLUSTER_PORTS) {
      const flags = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
      daemon([...dataNodeArgs('cluster', port), ...flags, '--cluster-node-timeout', '2000']);
    }
    await waitForPing(CLUSTER_PORTS);
    const args = ['--cluster', 'create', ...addresses(CLUSTER_PORTS).split(','), '--cluster-replicas', '1'];
    const created = spawnSync('redis-cli', [...args, '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (created.status !== 0) fail(`redis-cli ${args.join(' ')} failed:\n${created.stdout}${created.stderr}`);
  },
  problem() {
    let reference;
    for (const port of CLUSTER_PORTS) {
      const state = fields(cli(port, 'CLUSTER', 'INFO')).get('cluster_state');
      if (state !== 'ok') return `${port} says cluster_state:${state}`;
      const nodes = parseClusterNodes(cli(port, 'CLUSTER', 'NODES'));
      const flagged = nodes.find(({ flags }) =>
        flags.some((flag) => /^(fail\??|handshake|noaddr)$/.test(flag)),
      );
      if (flagged) return `${port} flags ${flagged.port} ${flagged.flags.join(',')}`;
      const masters = nodes.filter(({ flags, owned }) => flags.includes('master') && owned.length > 0);
      const summary = masters
        .map(({ port: master, owned }) => `${master}:${owned.join(' ')}`)
        .sort()
        .join(', ');
      if (reference === undefined) reference = { port, summary, nodes, masters };
      else if (summary !== reference.summary)
        return `${port} sees ${summary}, ${reference.port} sees ${reference.summary}`;
    }
    if (reference.masters.length !== 3) return `${reference.masters.length} masters own slots, not 3`;
    for (const master of reference.masters) {
      const replicas = reference.nodes.filter((node) => node.master === master.id);
      const linked = replicas.some(({ port }) => {
        const info = fields(cli(port, 'INFO', 'replication'));
        return Number(info.get('master_port')) === master.port && info.get('master_link_status') === 'up';
      });
      if (!linked) return `no replica of ${master.port} reports master_link_status:up`;
    }
    return undefined;
  },
};

const sentinel = {
  title: 'Redis Sentinel set',
  kind: 'sentinel',
  ports: [MASTER_PORT, REPLICA_PORT, ...SENTINEL_PORTS],
  busPorts: [],
  async start() {
    daemon(dataNodeArgs('sentinel', MASTER_PORT));
    daemon([...dataNodeArgs('sentinel', REPLICA_PORT), '--replicaof', '127.0.0.1', String(MASTER_PORT)]);
    await waitForPing([MASTER_PORT, REPLICA_PORT]);
    for (const port of SENTINEL_PORTS) {
      const dir = dirOf('sentinel', port);
      mkdirSync(dir, { recursive: true });
      const conf = join(dir, 'sentinel.conf');
      const lines = [
        `port ${port}`,
        'bind 127.0.0.1',
        'daemonize yes',
        `pidfile ${pidfileOf('sentinel', port)}`,
        `logfile ${join(dir, 'redis.log')}`,
        `dir ${dir}`,
        'sentinel announce-ip 127.0.0.1',
        `sentinel monitor ${NAME} 127.0.0.1 ${MASTER_PORT} 2`,
        `sentinel down-after-milliseconds ${NAME} 2000`,
        `sentinel failover-timeout ${NAME} 5000`,
      ];
      writeFileSync(conf, `${lines.join('\n')}\n`);
      daemon([conf, '--sentinel']);
    }
  },
  problem() {
    const reports = SENTINEL_PORTS.map((port) => cli(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME));
    const master = Number(reports[0]?.split('\n')[1]);
    if (![MASTER_PORT, REPLICA_PORT].includes(master) || reports.some((report) => report !== reports[0]))
      return `the Sentinels report ${reports.map((report) => report?.replace('\n', ':')).join(', ')}`;
    const role = fields(cli(master, 'INFO', 'replication')).get('role');
    if (role !== 'master') return `the reported master ${master} says role:${role}`;
    for (const port of SENTINEL_PORTS) {
      const seen = pairs(cli(port, 'SENTINEL', 'MASTER', NAME));
      const [flags, slaves, others] = ['flags', 'num-slaves', 'num-other-sentinels'].map((key) =>
        seen.get(key),
      );
      if (flags !== 'master' || slaves !== '1' || others !== '2')
        return `Sentinel ${port} sees ${NAME} ${flags}, num-slaves ${slaves}, num-other-sentinels ${others}`;
      const replica = pairs(cli(port, 'SENTINEL', 'REPLICAS', NAME));
      if (replica.get('flags') !== 'slave')
        return `Sentinel ${port} sees the replica ${replica.get('flags')}`;
    }
    const replica = master === MASTER_PORT ? REPLICA_PORT : MASTER_PORT;
    const info = fields(cli(replica, 'INFO', 'replication'));
    if (Number(info.get('master_port')) !== master || info.get('master_link_status') !== 'up')
      return `${replica} says role:${info.get('role')}, master_link_status:${info.get('master_link_status')}`;
    return undefined;
  },
};

async function waitForPing(ports) {
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    while (cli(port, 'PING') !== 'PONG') {
      if (Date.now() > deadline)
        fail(`redis-server on ${port} does not answer PING (see its redis.log under ${BASE})`);
      await sleep(50);
    }
  }
}

/** Whether the Redis answering on `port` is the process whose pid `start` wrote. */
function ours(topology, port) {
  const pidfile = pidfileOf(topology.kind, port);
  const pid = fields(cli(port, 'INFO', 'server')).get('process_id');
  return pid !== undefined && existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() === pid;
}

function portTaken(port) {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** Stops the processes of the pidfiles under the topology's directory (redis-server ones only) and removes it. */
async function stop(topology) {
  const pids = topology.ports
    .map((port) => pidfileOf(topology.kind, port))
    .filter((pidfile) => existsSync(pidfile))
    .map((pidfile) => Number(readFileSync(pidfile, 'utf8').trim()))
    .filter((pid) => {
      const cmdline = `/proc/${pid}/cmdline`;
      return pid > 0 && existsSync(cmdline) && readFileSync(cmdline, 'utf8').startsWith('redis-server');
    });
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (pids.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter((pid) => existsSync(`/proc/${pid}`))) process.kill(pid, 'SIGKILL');
  if (pids.length > 0) log(`== stopped the ${topology.title} (pids ${pids.join(' ')})`);
  rmSync(join(BASE, topology.kind), { recursive: true, force: true });
}

async function start(topology) {
  const answering = topology.ports.filter((port) => cli(port, 'PING') === 'PONG');
  const foreign = answering.filter((port) => !ours(topology, port));
  if (foreign.length > 0)
    fail(
      `Redis on 127.0.0.1:${foreign.join(', ')} was not started by this script (no matching pidfile under ` +
        `${join(BASE, topology.kind)}); stop it or free the ports ${topology.ports.join(', ')}.`,
    );
  if (answering.length === topology.ports.length && topology.problem() === undefined) {
    log(`== reusing the healthy ${topology.title} on ${topology.ports.join(', ')}`);
    return;
  }
  await stop(topology);
  const taken = [];
  for (const port of [...topology.ports, ...topology.busPorts]) if (await portTaken(port)) taken.push(port);
  if (taken.length > 0)
    fail(
      `port(s) ${taken.join(', ')} of the ${topology.title} are taken by another process (see \`ss -ltnp\`).`,
    );
  log(`== starting the ${topology.title} on ${topology.ports.join(', ')} under ${join(BASE, topology.kind)}`);
  const began = Date.now();
  await topology.start();
  const logs = topology.ports.map((port) => join(dirOf(topology.kind, port), 'redis.log'));
  await waitUntil(`the ${topology.title} to be ready`, () => topology.problem(), logs);
  log(`== the ${topology.title} is ready (${Date.now() - began} ms)`);
}

const command = process.argv[2];
if (command === 'start') {
  await start(cluster);
  await start(sentinel);
  console.log(`NEST_HIVE_REDIS_CLUSTER_NODES=${addresses(CLUSTER_PORTS)}`);
  console.log(`NEST_HIVE_REDIS_SENTINELS=${addresses(SENTINEL_PORTS)}`);
  console.log(`NEST_HIVE_REDIS_SENTINEL_NAME=${NAME}`);
} else if (command === 'stop') {
  await stop(cluster);
  await stop(sentinel);
  rmSync(BASE, { recursive: true, force: true });
} else {
  fail('usage: node scripts/redis-topologies.mjs start|stop');
}
