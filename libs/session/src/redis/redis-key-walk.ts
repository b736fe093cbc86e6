import { Cluster, type Redis } from 'ioredis';

/**
 * Walks the keys matching `pattern` with `SCAN` (never `KEYS`): on a Cluster, every master in
 * turn (a cluster client's own `SCAN` visits one node only). `onKeys` gets each key once, even
 * when a failover during the walk shows a key on two nodes.
 *
 * @param run - runs each call within the store's operation timeout.
 */
export async function walkKeys(
  client: Redis | Cluster,
  pattern: string,
  count: number,
  run: <T>(call: () => Promise<T>) => Promise<T>,
  onKeys: (keys: string[]) => Promise<void> | void,
): Promise<void> {
  const nodes = client instanceof Cluster ? await run(async () => client.nodes('master')) : [client];
  const seen = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await run(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', count));
      cursor = next;
      const fresh = keys.filter((key) => !seen.has(key));
      fresh.forEach((key) => seen.add(key));
      if (fresh.length > 0) await onKeys(fresh);
    } while (cursor !== '0');
  }
}

/**
 * Deletes `keys` with `UNLINK`: in one command on a single server; one command per key on a
 * Cluster, where a multi-key command must stay within one slot (the client routes each).
 */
export async function unlinkKeys(client: Redis | Cluster, keys: string[]): Promise<void> {
  if (!(client instanceof Cluster)) {
    await client.unlink(...keys);
    return;
  }
  await Promise.all(keys.map((key) => client.unlink(key)));
}

/** Escapes glob characters so a prefix matches literally in `SCAN MATCH`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
