import { createHash } from 'node:crypto';

/**
 * Applies a per-key patch to an existing session hash in one atomic step,
 * and sets its lifetime. Returns 0, changing nothing, when the hash is gone.
 *
 * KEYS[1] the session hash; ARGV[1] ttl in ms; ARGV[2] number of fields to
 * set (n); ARGV[3 .. 2+2n] field/value pairs; the remaining ARGV fields to
 * delete.
 */
export const PATCH_SESSION_SCRIPT = `
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
`;

/** SHA-1 of {@link PATCH_SESSION_SCRIPT}, for `EVALSHA`. */
export const PATCH_SESSION_SHA = createHash('sha1').update(PATCH_SESSION_SCRIPT).digest('hex');
