import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_SKIP_VARIABLE, skipAllowed, skipHint } from './allow-skip.js';
import { freePort, waitFor } from './processes.js';

/** The shared Redis the tests use (never stopped by a test). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether the shared Redis answers. An unreachable server fails the suite
 * unless `NEST_HIVE_ALLOW_SKIP` names `redis`; then its tests are skipped
 * with a message.
 */
export async function redisReachable(
  url = REDIS_URL,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const problem = await pingProblem(url);
  if (problem === undefined) return true;
  if (!skipAllowed('redis', env)) {
    throw new Error(
      `Redis at ${url} is unreachable (${problem}). Start one with ` +
        '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`. ' +
        skipHint('redis'),
    );
  }
  console.warn(`Skipping Redis tests (${ALLOW_SKIP_VARIABLE}): no Redis at ${url} (${problem}).`);
  return false;
}

/** Deletes the shared Redis's keys matching `pattern` (walking them with SCAN). */
export async function deleteKeys(pattern: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** A `redis-server` a test owns, on its own port, keeping data across restarts (append-only file). */
export class OwnRedisServer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'nest-hive-redis-'));
  private pid: number | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  /** Starts a server on a free port. */
  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.resume();
    return server;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server process on the same port and data directory. */
  async resume(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.pid = child.pid;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(
      `redis-server on ${this.port}`,
      async () => ((await pingProblem(this.url)) === undefined ? true : undefined),
      10_000,
    );
  }

  /** Stops the server process (SIGTERM: it flushes its append-only file) and waits for it to exit. */
  async pause(): Promise<void> {
    if (this.pid !== undefined) process.kill(this.pid, 'SIGTERM');
    await this.exited;
    this.pid = undefined;
  }

  /** Stops the server for good and removes its data. */
  async dispose(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Why `url` does not answer PING, or `undefined` when it does (one raw RESP exchange over TCP). */
function pingProblem(url: string, timeoutMs = 1_000): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    let answer = '';
    const finish = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n'))
        finish(answer.startsWith('+PONG') ? undefined : `PING answered ${answer.trim()}`);
    });
    socket.on('error', (error) => finish(error.message));
  });
}
