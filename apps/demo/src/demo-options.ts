import type { ClusterModuleOptions } from '@nest-hive/cluster';
import type { SessionModuleOptions } from '@nest-hive/session';
import type { DemoConfig } from './demo-config.js';

/**
 * Session options of the demo. With no store named, `SessionModule` shares
 * sessions through the primary under the cluster; `SESSION_STORE=redis`
 * keeps them in Redis instead (so they survive a restart of the whole
 * cluster, and every machine sees them).
 */
export async function demoSessionOptions(config: DemoConfig): Promise<SessionModuleOptions> {
  if (config.sessionStore === 'redis') {
    const { RedisSessionStore } = await import('@nest-hive/session/redis');
    const store = new RedisSessionStore({ url: config.redisUrl, prefix: `${config.redisNamespace}:sess:` });
    return { secret: [...config.sessionSecrets], store };
  }
  return { secret: [...config.sessionSecrets] };
}

/**
 * Cluster options of the demo. With `SESSION_STORE=redis`, broadcasts go
 * over Redis pub/sub too, so they reach the workers of every machine; by
 * default they travel over IPC through the primary.
 */
export async function demoClusterOptions(config: DemoConfig): Promise<ClusterModuleOptions> {
  if (config.sessionStore === 'redis') {
    const { redisBroadcastTransport } = await import('@nest-hive/cluster/redis');
    return {
      transport: redisBroadcastTransport({
        url: config.redisUrl,
        channel: `${config.redisNamespace}:broadcast`,
      }),
    };
  }
  return {};
}
