import { Cluster, type Redis } from 'ioredis';
import { RedisUnavailableError } from './redis-session.errors.js';

/**
 * `PING`s the server, or on a Cluster the master that owns each slot as the client last learned
 * it. A master that died is dropped from the client's connections at once but keeps its slots
 * until a replica takes them over: the ping fails for exactly that long.
 */
export async function pingRedis(client: Redis | Cluster): Promise<void> {
  if (!(client instanceof Cluster)) {
    await client.ping();
    return;
  }
  const live = new Map(
    client.nodes('all').map((node) => [`${node.options.host}:${node.options.port}`, node]),
  );
  const owners = new Set(client.slots.map((nodes) => nodes?.[0]).filter((key) => key !== undefined));
  if (owners.size === 0) {
    await Promise.all(client.nodes('master').map((node) => node.ping()));
    return;
  }
  await Promise.all(
    [...owners].map((owner) => {
      const node = live.get(owner);
      if (!node) throw new RedisUnavailableError();
      return node.ping();
    }),
  );
}
