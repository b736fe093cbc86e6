import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { type RecycleOptions } from '@nest-hive/cluster';
import { validateSessionOptions } from '@nest-hive/session';
import { readDemoRedisConfig, type DemoRedisConfig } from './demo-redis.js';

/** Where the demo keeps sessions. */
export type DemoSessionStore = 'cluster' | 'memory' | 'redis';

/** Default `SESSION_DB`, relative to the working directory (git-ignored in the repository). */
export const DEFAULT_SESSION_DB = '.nest-hive/sessions.db';

/** The Nest HTTP adapter the demo runs on. */
export type DemoHttpAdapter = 'express' | 'fastify';

/** Settings the demo reads from its environment. */
export interface DemoConfig {
  /** HTTP port. `PORT`, default 3000. */
  readonly port: number;
  /** Worker processes. `WORKERS`: a number or `auto` (default: one per core); `0` runs in one process. */
  readonly workers: number | 'auto';
  /**
   * Cookie-signing secrets: the first signs, every one verifies. `SESSION_SECRET`,
   * comma-separated during a rotation (`new,old`), or a random one made by the
   * primary at start-up.
   */
  readonly sessionSecrets: readonly string[];
  /**
   * `SESSION_STORE`: `cluster` (default) shares sessions through the primary, which keeps them in
   * the file `SESSION_DB`; `memory` keeps them in the primary's memory only (they end with it);
   * `redis` moves sessions and broadcasts to Redis.
   */
  readonly sessionStore: DemoSessionStore;
  /** `SESSION_DB`: the session file of `SESSION_STORE=cluster`, made absolute; default `.nest-hive/sessions.db`. */
  readonly sessionDb: string;
  /**
   * Redis, with `SESSION_STORE=redis`: exactly one of `REDIS_URL` (default
   * `redis://127.0.0.1:6379`), `REDIS_SENTINELS=host:port,…` with `REDIS_SENTINEL_NAME` (default
   * `mymaster`), or `REDIS_CLUSTER_NODES=host:port,…`; `REDIS_DURABLE_WRITES=1` for durable writes.
   */
  readonly redis: DemoRedisConfig;
  /** `REDIS_NAMESPACE`: prefix of the demo's Redis keys and channel, default `nest-hive-demo`. */
  readonly redisNamespace: string;
  /** `DEMO_ALLOW_KILL=1` lets the console kill workers. */
  readonly allowKill: boolean;
  /**
   * `DEMO_ALLOW_CHAOS=1` turns on `POST /api/chaos/leak` and `POST /api/chaos/block` and their
   * console buttons, so a visitor can watch a restart rule fire.
   */
  readonly allowChaos: boolean;
  /**
   * The restart rules: `WORKER_MAX_MEMORY_MB`, `WORKER_HANG_TIMEOUT_MS` and `WORKER_MAX_AGE_MS`;
   * unset or empty keeps `bootstrapCluster`'s default (no limit; hang 30 s).
   */
  readonly recycle: RecycleOptions;
  /**
   * `SHUTDOWN_DELAY_MS`: on `SIGTERM`, how long the demo serves on with `/health` answering 503
   * before it shuts down, so a load balancer takes it out first (`shutdownDelayMs`); default 0.
   */
  readonly shutdownDelayMs: number;
  /** `HTTP_ADAPTER`: `express` (default) or `fastify`. */
  readonly httpAdapter: DemoHttpAdapter;
  /**
   * `DEMO_STICKY=0` turns sticky engine.io sessions off (the chat then takes WebSocket-only
   * clients); default on. For measuring what sticky routing costs plain HTTP (bench case 6).
   */
  readonly sticky: boolean;
  /**
   * `MAX_SESSIONS_PER_USER=N`: sessions one user may hold at once; a login past it ends that
   * user's oldest session. Default (unset or empty): no cap.
   */
  readonly maxSessionsPerUser: number | undefined;
}

/**
 * Reads the demo's settings from `env`. Run in the primary, it invents a
 * secret when `SESSION_SECRET` is missing (and warns); the primary then hands
 * it to every worker, so all workers sign alike.
 *
 * @throws InvalidSessionOptionsError when a secret in `SESSION_SECRET` is short or a placeholder.
 */
export function readDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}".`);
  }
  const workersText = env.WORKERS ?? 'auto';
  const workers = workersText === 'auto' ? 'auto' : Number(workersText);
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 0)) {
    throw new Error(`WORKERS must be a whole number or "auto", got "${workersText}".`);
  }
  const sessionStore = env.SESSION_STORE ?? 'cluster';
  if (sessionStore !== 'cluster' && sessionStore !== 'memory' && sessionStore !== 'redis') {
    throw new Error(`SESSION_STORE must be "cluster", "memory" or "redis", got "${sessionStore}".`);
  }
  const sessionDb = resolve(env.SESSION_DB || DEFAULT_SESSION_DB);
  const redis = readDemoRedisConfig(env);
  const httpAdapter = env.HTTP_ADAPTER ?? 'express';
  if (httpAdapter !== 'express' && httpAdapter !== 'fastify') {
    throw new Error(`HTTP_ADAPTER must be "express" or "fastify", got "${httpAdapter}".`);
  }
  const maxSessionsPerUser = readSessionCap(env.MAX_SESSIONS_PER_USER);
  const sessionSecrets = (env.SESSION_SECRET ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  // Checked here, in the primary, so that a bad secret stops the demo at once
  // instead of failing every worker it forks.
  if (sessionSecrets.length > 0) {
    validateSessionOptions({ secret: sessionSecrets.length === 1 ? sessionSecrets[0] : sessionSecrets });
  } else {
    sessionSecrets.push(randomBytes(48).toString('base64url'));
    new Logger('Demo').warn(
      'SESSION_SECRET is not set: using a random secret for this run, so every session ends when the demo restarts. ' +
        'Set SESSION_SECRET (32+ characters) to keep them' +
        (sessionStore === 'cluster' ? ` (they are kept in ${sessionDb}).` : '.'),
    );
  }
  return {
    port,
    workers,
    sessionSecrets,
    sessionStore,
    sessionDb,
    redis,
    redisNamespace: env.REDIS_NAMESPACE ?? 'nest-hive-demo',
    allowKill: env.DEMO_ALLOW_KILL === '1',
    allowChaos: env.DEMO_ALLOW_CHAOS === '1',
    recycle: {
      maxMemoryMb: readPositive('WORKER_MAX_MEMORY_MB', env.WORKER_MAX_MEMORY_MB),
      hangTimeoutMs: readPositive('WORKER_HANG_TIMEOUT_MS', env.WORKER_HANG_TIMEOUT_MS),
      maxAgeMs: readPositive('WORKER_MAX_AGE_MS', env.WORKER_MAX_AGE_MS),
    },
    shutdownDelayMs: readPositive('SHUTDOWN_DELAY_MS', env.SHUTDOWN_DELAY_MS) ?? 0,
    httpAdapter,
    sticky: env.DEMO_STICKY !== '0',
    maxSessionsPerUser,
  };
}

/** A restart rule's setting: a whole number of 1 or more, or `undefined` (unset or empty) for the default. */
function readPositive(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!/^\s*[1-9]\d*\s*$/.test(text) || !Number.isSafeInteger(value)) {
    throw new Error(`${name} must be a whole number of 1 or more (unset for the default), got "${text}".`);
  }
  return value;
}

/** `MAX_SESSIONS_PER_USER`: a whole number of 1 or more; unset or empty for no cap. */
function readSessionCap(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const cap = Number(text);
  if (!/^\s*[1-9]\d*\s*$/.test(text) || !Number.isSafeInteger(cap)) {
    throw new Error(
      `MAX_SESSIONS_PER_USER must be a whole number of 1 or more (unset for no cap), got "${text}".`,
    );
  }
  return cap;
}
