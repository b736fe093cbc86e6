import { createHash } from 'node:crypto';

/** A Lua script with its SHA-1, for `EVALSHA` with an `EVAL` fallback. */
export interface RedisScript {
  /** The Lua source. */
  readonly lua: string;
  /** SHA-1 of {@link lua}. */
  readonly sha: string;
}

/** A {@link RedisScript} of `lua`. */
export function script(lua: string): RedisScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * Reads a session hash and its remaining lifetime: `[<field, value, ...>, <pttl>]`.
 *
 * A script, not `HGETALL` and `PTTL`: Redis counts a script without flags as a possible write, so a
 * master that pauses writes while its replica takes over (`CLUSTER FAILOVER`) holds the read until
 * it has handed its slots over, then redirects it. A plain read would be answered from the old
 * master meanwhile, without the writes the new one already acknowledged, and a handler that writes
 * back what it read would undo them.
 *
 * KEYS[1] the session hash.
 */
export const GET_SESSION = script(`
return { redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1]) }
`);

/**
 * Replaces a session hash and sets its lifetime, in one atomic step (one command, so a `WAIT`
 * can follow it in the same round trip).
 *
 * KEYS[1] the session hash; ARGV[1] ttl in ms; ARGV[2 ..] field/value pairs.
 */
export const SET_SESSION = script(`
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`);

/**
 * Applies a per-key patch to an existing session hash in one atomic step,
 * and sets its lifetime. Returns 0, changing nothing, when the hash is gone.
 *
 * KEYS[1] the session hash; ARGV[1] ttl in ms; ARGV[2] number of fields to
 * set (n); ARGV[3 .. 2+2n] field/value pairs; the remaining ARGV fields to
 * delete.
 */
export const PATCH_SESSION = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = tonumber(ARGV[2])
local i = 3
for _ = 1, count do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for j = i, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[j])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`);
