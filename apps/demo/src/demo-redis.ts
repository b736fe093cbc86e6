/**
 * Where the demo's Redis is, read from its environment: exactly one of `REDIS_URL` (one server,
 * the default), `REDIS_SENTINELS` (with `REDIS_SENTINEL_NAME`) or `REDIS_CLUSTER_NODES`.
 * The same options go to the session store and to the broadcast transport.
 */
export type DemoRedisConnection =
  | { readonly url: string }
  | { readonly sentinels: readonly string[]; readonly sentinelName: string }
  | { readonly clusterNodes: readonly string[] };

/** The Redis settings of the demo. */
export interface DemoRedisConfig {
  /** Where Redis is. */
  readonly connection: DemoRedisConnection;
  /** `REDIS_DURABLE_WRITES=1`: acknowledge a session write only once a replica holds it. */
  readonly durableWrites: boolean;
}

const TOPOLOGY_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/**
 * Reads the demo's Redis settings, failing with the fix when they contradict each other.
 *
 * @throws Error when more than one topology is named, or a list is empty.
 */
export function readDemoRedisConfig(env: NodeJS.ProcessEnv): DemoRedisConfig {
  const given = TOPOLOGY_VARIABLES.filter((name) => (env[name] ?? '') !== '');
  if (given.length > 1) {
    throw new Error(
      `Set one of ${TOPOLOGY_VARIABLES.join(', ')}, not ${given.join(' and ')}: they name different Redis topologies.`,
    );
  }
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS) {
    throw new Error('REDIS_SENTINEL_NAME needs REDIS_SENTINELS (host:port of each sentinel).');
  }
  return { connection: connectionOf(env), durableWrites: env.REDIS_DURABLE_WRITES === '1' };
}

function connectionOf(env: NodeJS.ProcessEnv): DemoRedisConnection {
  if (env.REDIS_SENTINELS) {
    return {
      sentinels: addressList('REDIS_SENTINELS', env.REDIS_SENTINELS),
      sentinelName: env.REDIS_SENTINEL_NAME ?? 'mymaster',
    };
  }
  if (env.REDIS_CLUSTER_NODES) {
    return { clusterNodes: addressList('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES) };
  }
  return { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

function addressList(name: string, text: string): string[] {
  const addresses = text
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  const bad = addresses.find((address) => !/^[^:\s]+:\d+$/.test(address));
  if (addresses.length === 0 || bad !== undefined) {
    throw new Error(`${name} must list host:port addresses separated by commas, got "${text}".`);
  }
  return addresses;
}
