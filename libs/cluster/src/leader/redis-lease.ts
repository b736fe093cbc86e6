import { randomUUID } from 'node:crypto';
import { type Cluster, type Redis } from 'ioredis';
import { createRedisConnection } from '../redis/redis-connection.js';
import { type ResolvedLeaderOptions } from './leader.options.js';
import { type LeaderInfo, isLeaderInfo } from './leader.topics.js';
import { type LeaseHold, type MachineLease } from './machine-lease.js';

// KEYS[1] the lease, KEYS[2] the fencing counter (one hash slot: the key is a hash tag).
// ARGV[1] this primary's owner id, ARGV[2] the lease's value, ARGV[3] its time to live (ms), ARGV[4]
// '1' for a new fencing token. Returns the fencing token while this primary holds the lease, else 0.
const HOLD = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if not ok or type(decoded) ~= 'table' or decoded.owner ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if current == false or ARGV[4] == '1' then return redis.call('INCR', KEYS[2]) end
return tonumber(redis.call('GET', KEYS[2]) or '0')
`;

// Deletes the lease if this primary (ARGV[1]) holds it.
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if ok and type(decoded) == 'table' and decoded.owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface LeaseValue {
  readonly owner: string;
  readonly leader: Omit<LeaderInfo, 'fencingToken'> | null;
}

/**
 * A fleet's lease in Redis (one server, Sentinel or Cluster): the primary that holds the key
 * `{key}` has the fleet's leader; the key expires `leaseMs` after its last renewal. A holder counts
 * its hold from before it sent the renewal, less a fifth of `leaseMs`, so it gives up leading
 * before the key can expire in Redis and another primary take it.
 *
 * A failover of Redis can lose the last writes to the old master, the lease's among them: for that
 * moment two machines may both lead, and a fencing token (`INCR {key}:fencing`) may be handed out twice.
 */
export class RedisLease implements MachineLease {
  private readonly owner = randomUUID();
  private readonly connection: Redis | Cluster;
  private readonly keys: readonly [string, string];

  /** @param options - the election's options, with `redis` set. */
  constructor(
    private readonly options: ResolvedLeaderOptions & { redis: NonNullable<ResolvedLeaderOptions['redis']> },
  ) {
    const { username, password, sentinelPassword, ...place } = options.redis;
    const credentials = { username, password, sentinelPassword };
    const given = Object.values(credentials).some((value) => value !== undefined);
    this.connection = createRedisConnection(
      { ...place, ...(given && { redisOptions: credentials }) },
      { enableOfflineQueue: false },
    );
    this.connection.on('error', () => undefined); // each failed command says so; reconnects go on
    this.keys = [`{${options.key}}`, `{${options.key}}:fencing`];
  }

  /** @inheritdoc */
  async hold(leader: Omit<LeaderInfo, 'fencingToken'> | null, newLeader: boolean): Promise<LeaseHold | null> {
    const sentAt = Date.now();
    const { leaseMs } = this.options;
    try {
      const value: LeaseValue = { owner: this.owner, leader };
      const token = await this.withTimeout(
        this.connection.eval(
          HOLD,
          2,
          ...this.keys,
          this.owner,
          JSON.stringify(value),
          leaseMs,
          newLeader ? '1' : '0',
        ),
      );
      if (typeof token !== 'number' || token <= 0) return null;
      return { until: sentAt + leaseMs - Math.floor(leaseMs / 5), fencingToken: token };
    } catch {
      return null;
    }
  }

  /** @inheritdoc */
  async holder(): Promise<LeaderInfo | null> {
    try {
      const [raw, token] = await this.withTimeout(this.connection.mget(...this.keys));
      if (typeof raw !== 'string') return null;
      // The counter rises only under the lease: it is the token of the leader the lease names.
      const value = JSON.parse(raw) as Partial<LeaseValue>;
      const leader: unknown = value.leader ? { ...value.leader, fencingToken: Number(token) } : null;
      return isLeaderInfo(leader) ? leader : null;
    } catch {
      return null;
    }
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    try {
      await this.withTimeout(this.connection.eval(RELEASE, 1, this.keys[0], this.owner));
    } catch {
      // the lease then expires by itself
    }
    this.connection.disconnect();
  }

  /** Fails a command Redis has not answered within a third of the lease: the hold is then unknown. */
  private withTimeout<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Redis did not answer in time')),
        Math.floor(this.options.leaseMs / 3),
      );
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }
}
