/**
 * Where a Redis connection goes, checked without loading ioredis (the leader's options are checked
 * in every worker, with or without a fleet).
 */

/** A Redis server address, as `{ host, port }` or as `'host:port'` text (`'[::1]:6379'` for IPv6). */
export type RedisAddress = string | { readonly host: string; readonly port: number };

/** The fields of a connection's options that say where Redis is (see `RedisConnectionOptions`). */
export interface ConnectionPlace {
  readonly url?: string;
  readonly sentinels?: readonly RedisAddress[];
  readonly sentinelName?: string;
  readonly clusterNodes?: readonly RedisAddress[];
  readonly client?: unknown;
  readonly redisOptions?: unknown;
}

const OWNER = 'RedisBroadcastTransport';
const SOURCES = ['url', 'sentinels', 'clusterNodes', 'client'] as const;

/**
 * Checks that `options` name one place to connect, with addresses that parse.
 *
 * @throws TypeError naming the fix, e.g. when two of `url`, `sentinels`, `clusterNodes` and
 * `client` are given.
 */
export function validateConnectionOptions(options: ConnectionPlace): void {
  const given = SOURCES.filter((source) => options[source] !== undefined);
  if (given.length > 1) {
    throw new TypeError(
      `${OWNER} takes exactly one of url, sentinels, clusterNodes or client; got ${given.join(' and ')}. ` +
        'Keep the one that says where your Redis is.',
    );
  }
  if (options.sentinelName !== undefined && options.sentinels === undefined) {
    throw new TypeError(`${OWNER}: \`sentinelName\` needs \`sentinels\` (the sentinels to ask).`);
  }
  if (options.client && options.redisOptions) {
    throw new TypeError(
      `${OWNER}: \`redisOptions\` applies to connections it makes; give them to your \`client\` instead.`,
    );
  }
  for (const list of ['sentinels', 'clusterNodes'] as const) {
    const addresses = options[list];
    if (addresses === undefined) continue;
    if (addresses.length === 0) throw new TypeError(`${OWNER}: \`${list}\` is empty; give at least one.`);
    addresses.forEach((address) => parseAddress(list, address));
  }
}

/** `address` as `{ host, port }`, or a TypeError naming the fix. */
export function parseAddress(list: string, address: RedisAddress): { host: string; port: number } {
  if (typeof address === 'object' && address !== null) {
    if (typeof address.host === 'string' && address.host !== '' && validPort(address.port)) {
      return { host: address.host, port: address.port };
    }
  } else if (typeof address === 'string') {
    const match = /^(\[[^\]]+\]|[^:[\]\s]+):(\d+)$/.exec(address.trim());
    const port = Number(match?.[2]);
    if (match?.[1] && validPort(port)) return { host: match[1].replace(/^\[|\]$/g, ''), port };
  }
  throw new TypeError(
    `${OWNER}: \`${list}\` has ${JSON.stringify(address)}; write each as 'host:port' ` +
      "(e.g. '10.0.0.5:26379', '[::1]:6379') or { host, port } with a port from 1 to 65535.",
  );
}

function validPort(port: unknown): boolean {
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536;
}
