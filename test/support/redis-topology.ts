/**
 * What the Redis Cluster and Sentinel harnesses (`redis-cluster-topology.ts`,
 * `redis-sentinel-topology.ts`) share: addresses, admin commands over
 * short-lived ioredis connections, and the `redis-server` processes they spawn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './processes.js';

/** Where one Redis node or Sentinel listens. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** How long `waitHealthy()` waits by default. */
export const HEALTHY_TIMEOUT_MS = 30_000;

/** `127.0.0.1:7000,127.0.0.1:7001`: the form of the `NEST_HIVE_REDIS_*` variables. */
export function addressesText(addresses: readonly RedisNodeAddress[]): string {
  return addresses.map(({ host, port }) => `${host}:${port}`).join(',');
}

/** Parses `host:port,host:port`, the value of `variable` (named in the error when it is malformed). */
export function parseAddresses(text: string, variable: string): RedisNodeAddress[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`${variable} lists no host:port`);
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(':');
    const port = Number(entry.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535)
      throw new Error(`${variable}: "${entry}" is not host:port`);
    return { host: entry.slice(0, colon), port };
  });
}

/** `127.0.0.1:<port>` as an address. */
export function localAddress(port: number): RedisNodeAddress {
  return { host: '127.0.0.1', port };
}

/**
 * Where the processes of a topology run: the address they bind and announce, and the command line
 * that starts `redis-server` there (on another test host, through `ip netns exec`).
 */
export interface RedisHost {
  readonly address: string;
  readonly command: (argv: readonly string[]) => readonly [string, ...string[]];
}

/** This machine's loopback, where every topology runs unless told otherwise. */
export const LOOPBACK_HOST: RedisHost = {
  address: '127.0.0.1',
  command: (argv) => ['redis-server', ...argv],
};

/** Sends one command over a connection of its own (no retry, no offline queue) and returns the reply. */
export async function redisCommand(
  node: RedisNodeAddress,
  command: string,
  ...args: Array<string | number>
): Promise<unknown> {
  const redis = new Redis({
    host: node.host,
    port: node.port,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** The `key:value` lines of an `INFO <section>` or `CLUSTER INFO` reply. */
export function infoFields(reply: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of String(reply).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A flat `[key, value, key, value]` reply (`SENTINEL MASTER`, each entry of `SENTINEL REPLICAS`) as a map. */
export function replyPairs(reply: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  const items = Array.isArray(reply) ? (reply as unknown[]) : [];
  for (let index = 0; index + 1 < items.length; index += 2)
    pairs.set(String(items[index]), String(items[index + 1]));
  return pairs;
}

/** `INFO replication` of one node. */
export async function replication(node: RedisNodeAddress): Promise<Map<string, string>> {
  return infoFields(await redisCommand(node, 'INFO', 'replication'));
}

/**
 * `count` distinct ports that were free a moment ago; with `clusterBus`, each
 * port + 10000 (the Cluster bus) was free as well.
 */
export async function freePorts(count: number, clusterBus = false): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt += 1) {
    if (attempt > 1_000) throw new Error(`No ${count} free ports found on 127.0.0.1`);
    const port = await freePort();
    const clash = (taken: number) => taken === port || (clusterBus && Math.abs(taken - port) === 10_000);
    if (ports.some(clash)) continue;
    if (clusterBus && (port + 10_000 > 65_535 || !(await portFree(port + 10_000)))) continue;
    ports.push(port);
  }
  return ports;
}

function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The arguments of a plain data node on `port` keeping nothing on disk (`--save '' --appendonly no`). */
export function dataNodeArgv(port: number, dir: string, host: RedisHost = LOOPBACK_HOST): string[] {
  // --repl-diskless-sync-delay 0: a full sync starts at once instead of waiting 5 s for more replicas (7.0's default).
  // --rdb-del-sync-files yes: a replica deletes the RDB a sync wrote, so a restarted node comes back empty.
  // Protected mode refuses every client but loopback ones: a test host's Redis (no password, on a
  // network with no way out) is reached from the other hosts.
  const protectedMode = host.address === LOOPBACK_HOST.address ? 'yes' : 'no';
  const flags = `--port ${port} --bind ${host.address} --protected-mode ${protectedMode} --daemonize no --appendonly no --repl-diskless-sync-delay 0 --rdb-del-sync-files yes`;
  return [...flags.split(' '), '--save', '', '--dir', dir, '--logfile', join(dir, 'redis.log')];
}

/** Who stops a topology: its creator (`own`), nobody (`ci`: `.ci/run` started it) or the last user of this test file's (`file`). */
export type Sharing = 'own' | 'ci' | 'file';

/** Waits (bounded) until `problem()` finds none; on timeout the error names the last one found. */
export async function waitUntilHealthy(
  what: string,
  problem: () => Promise<string | undefined>,
  timeoutMs = HEALTHY_TIMEOUT_MS,
): Promise<void> {
  const check = async () => {
    const found = await problem();
    if (found !== undefined) throw new Error(found);
    return true;
  };
  await waitFor(what, check, timeoutMs, 100);
}

/**
 * The processes and directories still to clean up if a test file never calls
 * `dispose()`. Jest hands each test file a copy of `process` whose 'exit' never
 * fires, so a watchdog (a child Node process reading our pids on a pipe)
 * SIGKILLs them when that pipe closes: when this process ends, however it ends.
 */
const leftovers = { pids: new Set<number>(), dirs: new Set<string>() };
let watchdog: ChildProcess | undefined;

const WATCHDOG_SOURCE = `
const pids = new Set(), dirs = new Set(); let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\\n'); rest = lines.pop();
  for (const line of lines) { const set = line[1] === 'p' ? pids : dirs; line[0] === '+' ? set.add(line.slice(2)) : set.delete(line.slice(2)); }
});
process.stdin.on('end', () => {
  for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  for (const dir of dirs) require('node:fs').rmSync(dir, { recursive: true, force: true });
});`;

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function tell(line: string): void {
  if (watchdog === undefined) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.unref();
    (watchdog.stdin as Socket).unref();
    watchdog.stdin?.on('error', () => undefined);
    process.once('exit', () => {
      for (const pid of leftovers.pids) killQuietly(pid);
      for (const dir of leftovers.dirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** One `redis-server` (data node or Sentinel) spawned in the foreground, logging to `<dir>/redis.log`. */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  /** `argv` is passed to `redis-server` on every start (extra arguments per start go to `start()`). */
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly argv: readonly string[],
    private readonly host: RedisHost = LOOPBACK_HOST,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** `<host address>:<port>` */
  get address(): RedisNodeAddress {
    return { host: this.host.address, port: this.port };
  }

  /** Whether the process runs (it may not answer yet). */
  get alive(): boolean {
    return this.child !== undefined;
  }

  /** Spawns the process and waits until it answers PING; fails fast with its log when it exits first. */
  async start(extraArgs: readonly string[] = [], timeoutMs = 10_000): Promise<void> {
    if (this.child !== undefined) throw new Error(`redis-server on ${this.port} is already running`);
    const [command, ...args] = this.host.command([...this.argv, ...extraArgs]);
    const child = spawn(command, args, { cwd: this.dir, stdio: 'ignore' });
    child.unref();
    const pid = child.pid;
    this.child = child;
    let how = 'failed to spawn';
    if (pid !== undefined) {
      leftovers.pids.add(pid);
      tell(`+p${pid}`);
    }
    this.exited = new Promise((resolve) => {
      const gone = (reason: string) => {
        how = reason;
        if (pid !== undefined && leftovers.pids.delete(pid)) tell(`-p${pid}`);
        if (this.child === child) this.child = undefined;
        resolve();
      };
      child.once('exit', (code, signal) => gone(`exited with ${code ?? signal}`));
      child.once('error', (error) => gone(error.message));
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child !== child)
        throw new Error(`redis-server on ${this.port} ${how} before answering PING. ${this.logTail()}`);
      if (await redisCommand(this.address, 'PING').catch(() => undefined)) return;
      if (Date.now() > deadline)
        throw new Error(`redis-server on ${this.port} did not answer PING. ${this.logTail()}`);
      await sleep(50);
    }
  }

  /** Stops the process (`SIGSTOP`) for `ms`, then lets it go on (`SIGCONT`), like a stalled machine. */
  async freeze(ms: number): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`redis-server on ${this.port} is not running`);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }

  /** `kill -9`, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  private logTail(): string {
    const log = join(this.dir, 'redis.log');
    if (!existsSync(log)) return `(no ${log})`;
    return `Last lines of ${log}:\n${readFileSync(log, 'utf8').trimEnd().split('\n').slice(-8).join('\n')}`;
  }
}

/** The processes of one topology, each with a directory under one temp directory. */
export class RedisProcesses {
  /** `$TMPDIR/nest-hive-topology-XXXXXX` */
  readonly dir = mkdtempSync(join(tmpdir(), 'nest-hive-topology-'));
  private readonly byPort = new Map<number, RedisProcess>();

  /** @param host - where the processes run. */
  constructor(private readonly host: RedisHost = LOOPBACK_HOST) {
    leftovers.dirs.add(this.dir);
    tell(`+d${this.dir}`);
  }

  /** Adds (does not start) a process in `<dir>/<port>`; `argv` gets that directory. */
  add(port: number, argv: (dir: string) => string[]): RedisProcess {
    const dir = join(this.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const node = new RedisProcess(port, dir, argv(dir), this.host);
    this.byPort.set(port, node);
    return node;
  }

  /** The process on `port`; throws when this topology has none there. */
  get(port: number): RedisProcess {
    const node = this.byPort.get(port);
    if (node === undefined) throw new Error(`No node of this topology listens on ${port}`);
    return node;
  }

  /** SIGKILLs every process and removes the directory. */
  async dispose(): Promise<void> {
    await Promise.all([...this.byPort.values()].map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
    leftovers.dirs.delete(this.dir);
    tell(`-d${this.dir}`);
  }
}
