import { defineTopic } from '@nest-hive/cluster';
import { isBoolean, isString, shape } from '../core/guards.js';
import { isIdList, isLeaseMs } from './cluster-session.topics.js';

/**
 * The read caches of a `RedisSessionStore` on the workers of one machine: `scope` names the store
 * (its key prefix), so the stores of one worker with different prefixes keep apart.
 */
interface Scoped {
  scope: string;
}

const isScope = (value: unknown): value is string => isString(value) && value.length <= 1_000;

/**
 * A worker's Redis read cache asks the primary for (or renews) its lease: while it runs, the
 * primary waits for the worker's acknowledgement (or the lease's end) before it answers a relay.
 */
export const REDIS_CACHE_LEASE = defineTopic<Scoped & { leaseMs: number }, null>(
  'nest-hive:session:redis-cache-lease',
  {
    validate: shape({ scope: isScope, leaseMs: isLeaseMs }),
  },
);

/**
 * A worker wrote sessions to Redis: the primary answers once every other worker of this machine
 * dropped its copies of them (`all`: of every session) or its lease ended.
 */
export const REDIS_CACHE_RELAY = defineTopic<Scoped & { ids: string[]; all: boolean }, null>(
  'nest-hive:session:redis-cache-relay',
  { validate: shape({ scope: isScope, ids: isIdList, all: isBoolean }) },
);

/** The primary tells a worker to drop its copies of some sessions of one store (`all`: of every one). */
export const REDIS_CACHE_DROP = defineTopic<Scoped & { ids: string[]; all: boolean }, null>(
  'nest-hive:session:redis-cache-drop',
  { validate: shape({ scope: isScope, ids: isIdList, all: isBoolean }) },
);
