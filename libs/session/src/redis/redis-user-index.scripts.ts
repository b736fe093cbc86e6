import { script } from './redis-session.scripts.js';

/**
 * Lua that gives the index hash KEYS[1] a TTL of at least `ttl` ms: `PEXPIRE` only when the key
 * has no TTL yet (`PTTL` -1) or a shorter one, so an entry never shortens its neighbours' lives.
 */
const EXTEND_KEY = `
local function extend(ttl)
  local current = redis.call('PTTL', KEYS[1])
  if current == -2 then return end
  if current == -1 or current < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
`;

/**
 * Adds (or replaces) one entry of a user's index and makes the hash live at least as long as it.
 * An entry that has already expired removes the field instead.
 *
 * KEYS[1] the user's index hash; ARGV[1] handle; ARGV[2] entry JSON; ARGV[3] its remaining lifetime in ms.
 */
export const ADD_ENTRY = script(`${EXTEND_KEY}
local ttl = tonumber(ARGV[3])
if ttl <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
extend(ttl)
return 1
`);

/**
 * Renews one entry (`lastSeenAt`, `expiresAt`) when its field exists, never adding it back; a
 * value that is not a JSON object is removed. Returns 1 when renewed.
 *
 * KEYS[1] the user's index hash; ARGV[1] handle; ARGV[2] lastSeenAt; ARGV[3] expiresAt; ARGV[4]
 * remaining lifetime in ms.
 */
export const RENEW_ENTRY = script(`${EXTEND_KEY}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
entry.lastSeenAt = tonumber(ARGV[2])
entry.expiresAt = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
local ttl = tonumber(ARGV[4])
if ttl > 0 then extend(ttl) end
return 1
`);

/**
 * Removes fields from a user's index (one `HDEL` each: no `unpack` limit on long lists).
 *
 * KEYS[1] the user's index hash; ARGV the handles.
 */
export const REMOVE_ENTRIES = script(`
local removed = 0
for i = 1, #ARGV do
  removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
end
return removed
`);

/**
 * Removes fields whose value is still the one a listing read (expired or unreadable): a field
 * renewed or replaced since then stays.
 *
 * KEYS[1] the user's index hash; ARGV handle/value pairs.
 */
export const DROP_UNCHANGED = script(`
local dropped = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    dropped = dropped + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return dropped
`);
