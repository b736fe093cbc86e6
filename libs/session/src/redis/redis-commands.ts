import { Cluster, type ChainableCommander, type Redis } from 'ioredis';
import { createRedisConnection } from './redis-connection.js';
import { RedisReadyGate } from './redis-ready-gate.js';
import { RedisOperationTimeoutError, RedisWriteNotReplicatedError } from './redis-session.errors.js';
import type { RedisScript } from './redis-session.scripts.js';

/** How many replicas must hold a write before it is acknowledged, and how long to wait for them. */
export interface DurableWritesPolicy {
  /** Replicas that must confirm each write (`WAIT <replicas>`). */
  readonly replicas: number;
  /** Longest wait for them (ms), within the operation timeout. */
  readonly timeoutMs: number;
}

type Target = Redis | Cluster;

/**
 * Runs the session store's commands, each within the operation timeout and failing at once while
 * its connection is known to be down.
 *
 * With a durable-writes policy each write is followed, in the same round trip, by `WAIT` for
 * replicas. `WAIT` holds its connection until the replicas answer, so durable writes go over a
 * connection of their own (reads never queue behind them); after a write that was not
 * replicated, writes fail at once for one `WAIT` timeout instead of queueing, then one tries again.
 */
export class RedisCommands {
  private readonly writer: Target;
  private readonly readGate: RedisReadyGate;
  private readonly writeGate: RedisReadyGate;
  /** Until when (epoch ms) durable writes fail without being sent, after one was not replicated. */
  private unreplicatedUntil = 0;
  private closed = false;

  constructor(
    private readonly client: Target,
    private readonly timeoutMs: number,
    private readonly durable: DurableWritesPolicy | undefined,
  ) {
    this.writer = durable ? createRedisConnection({ client }, { enableOfflineQueue: false }) : client;
    if (this.writer !== client) this.writer.on('error', () => undefined); // the reader logs
    this.readGate = new RedisReadyGate(client);
    this.writeGate = this.writer === client ? this.readGate : new RedisReadyGate(this.writer);
  }

  /** Runs one call on the main connection once it is ready, within the operation timeout. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return this.within(this.readGate, call);
  }

  /**
   * Runs a script on one key, as a write: `EVALSHA`, falling back to `EVAL` once; with durable
   * writes always `EVAL` (a few hundred bytes more), since a `NOSCRIPT` answer would cost the
   * `WAIT` sent with it.
   */
  runScript(script: RedisScript, key: string, args: readonly string[]): Promise<unknown> {
    return this.within(this.writeGate, () =>
      evalScript((useSha) =>
        this.write(
          (target) =>
            useSha ? target.evalsha(script.sha, 1, key, ...args) : target.eval(script.lua, 1, key, ...args),
          (pipeline) => pipeline.eval(script.lua, 1, key, ...args),
        ),
      ),
    );
  }

  /**
   * Runs a script that only reads one key, on the main connection, as a read (no `WAIT`):
   * `EVALSHA`, falling back to `EVAL` once.
   */
  runReadScript(script: RedisScript, key: string, args: readonly string[] = []): Promise<unknown> {
    const { client } = this;
    return this.within(this.readGate, () =>
      evalScript((useSha) =>
        useSha ? client.evalsha(script.sha, 1, key, ...args) : client.eval(script.lua, 1, key, ...args),
      ),
    );
  }

  /** Deletes one key, as a write. */
  runDelete(key: string): Promise<unknown> {
    return this.within(this.writeGate, () =>
      this.write(
        (target) => target.del(key),
        (pipeline) => pipeline.del(key),
      ),
    );
  }

  /** Refuses every later call, and closes the connection of durable writes (the main one belongs to the store). */
  close(): void {
    this.closed = true;
    if (this.writer !== this.client) this.writer.disconnect();
  }

  /**
   * Sends a write: alone, or with durable writes in a pipeline with `WAIT`, rejecting when too few
   * replicas confirmed it.
   */
  private async write(
    alone: (client: Target) => Promise<unknown>,
    inPipeline: (pipeline: ChainableCommander) => ChainableCommander,
  ): Promise<unknown> {
    const durable = this.durable;
    if (!durable) return alone(this.writer);
    if (Date.now() < this.unreplicatedUntil) {
      throw new RedisWriteNotReplicatedError(0, durable.replicas, durable.timeoutMs);
    }
    let results = await inPipeline(this.writer.pipeline()).wait(durable.replicas, durable.timeoutMs).exec();
    if (this.writer instanceof Cluster && movedSlot(results)) {
      // A Cluster pipeline that ends with WAIT is not redirected by ioredis: after a failover the
      // write answers MOVED (unapplied) until the slot map is refreshed, then goes again once.
      const cluster = this.writer;
      await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
      results = await inPipeline(cluster.pipeline()).wait(durable.replicas, durable.timeoutMs).exec();
    }
    const value = resultAt<unknown>(results, 0);
    const replicated = resultAt<number>(results, 1);
    if (replicated < durable.replicas) {
      this.unreplicatedUntil = Date.now() + durable.timeoutMs;
      throw new RedisWriteNotReplicatedError(replicated, durable.replicas, durable.timeoutMs);
    }
    return value;
  }

  /** Runs `call` once `gate` lets it through, failing after the operation timeout. */
  private async within<T>(gate: RedisReadyGate, call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The Redis session store was closed.');
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new RedisOperationTimeoutError(this.timeoutMs)),
      this.timeoutMs,
    );
    const timedOut = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), {
        once: true,
      }),
    );
    try {
      return await Promise.race([gate.whenReady(abort.signal).then(call), timedOut]);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }
}

/** Sends a script by its SHA-1 (`send(true)`), and once more with its source when Redis answers `NOSCRIPT`. */
async function evalScript(send: (useSha: boolean) => Promise<unknown>): Promise<unknown> {
  try {
    return await send(true);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return send(false);
    throw error;
  }
}

/** Whether the first reply of a pipeline is a Cluster redirection (the command did not run). */
function movedSlot(results: Array<[Error | null, unknown]> | null): boolean {
  const error = results?.[0]?.[0];
  return error instanceof Error && /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN) /.test(error.message);
}

/** The reply of command `index` of a MULTI or pipeline, rethrowing its error. */
export function resultAt<T>(results: Array<[Error | null, unknown]> | null, index: number): T {
  if (!results) throw new Error('Redis transaction was aborted.');
  const [error, value] = results[index] ?? [new Error('Missing Redis reply.'), undefined];
  if (error) throw error;
  return value as T;
}
