import type { SessionModuleOptions } from '@nest-hive/session';
import type { DemoConfig } from './demo-config.js';

/**
 * Session options of the demo. With no store named, `SessionModule` shares
 * sessions through the primary under the cluster; `SESSION_STORE=redis`
 * keeps them in Redis instead (and so across full restarts).
 */
export async function demoSessionOptions(config: DemoConfig): Promise<SessionModuleOptions> {
  if (config.sessionStore === 'redis') {
    const { RedisSessionStore } = await import('@nest-hive/session/redis');
    return {
      secret: config.sessionSecret,
      store: new RedisSessionStore({ url: config.redisUrl, prefix: 'demo:sess:' }),
    };
  }
  return { secret: config.sessionSecret };
}
