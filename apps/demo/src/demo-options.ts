import type { ClusterModuleOptions } from '@nest-hive/cluster';
import type { ClusterLeaderModuleOptions } from '@nest-hive/cluster/leader';
import { FileSessionStore, type SessionModuleOptions } from '@nest-hive/session';
import { PASSPORT_CONTROLLERS } from './auth/auth.routes.js';
import type { DemoConfig } from './demo-config.js';

/**
 * Session options of the demo. By default (`SESSION_STORE=cluster`) the
 * sessions are shared through the primary, which keeps them in the file
 * `SESSION_DB`, so they survive a restart of the whole cluster (with
 * `WORKERS=0`, the one process keeps them in that file itself);
 * `SESSION_STORE=memory` keeps them in the primary's memory only;
 * `SESSION_STORE=redis` keeps them in Redis, where every machine sees them. The Passport routes load the
 * session eagerly, for `passport.session()` and the guards; every other
 * route stays lazy. `MAX_SESSIONS_PER_USER` caps each user's sessions
 * (`users.maxSessionsPerUser`); without it `users` stays unset, so Passport's
 * `passport.user` names the owner, with no cap.
 */
export async function demoSessionOptions(config: DemoConfig): Promise<SessionModuleOptions> {
  const options: SessionModuleOptions = {
    secret: [...config.sessionSecrets],
    eager: { forRoutes: [...PASSPORT_CONTROLLERS] },
  };
  if (config.maxSessionsPerUser !== undefined) {
    options.users = { maxSessionsPerUser: config.maxSessionsPerUser };
  }
  if (config.sessionStore === 'redis') {
    const { RedisSessionStore } = await import('@nest-hive/session/redis');
    const store = new RedisSessionStore({
      ...config.redis.connection,
      durableWrites: config.redis.durableWrites,
      prefix: `${config.redisNamespace}:sess:`,
    });
    return { ...options, store };
  }
  if (config.sessionStore === 'memory') return { ...options, persistence: false };
  if (config.workers === 0) return { ...options, store: new FileSessionStore({ path: config.sessionDb }) };
  return { ...options, persistence: { path: config.sessionDb } };
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
        ...config.redis.connection,
        channel: `${config.redisNamespace}:broadcast`,
      }),
    };
  }
  return {};
}

/**
 * Leader options of the demo: with `SESSION_STORE=redis` the machines contend for one lease in
 * Redis (one leader for the fleet); otherwise the primary elects one of its own workers.
 */
export function demoLeaderOptions(config: DemoConfig): ClusterLeaderModuleOptions {
  if (config.sessionStore !== 'redis') return {};
  return { redis: { ...config.redis.connection }, key: `${config.redisNamespace}:leader` };
}
