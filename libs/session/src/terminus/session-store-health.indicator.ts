import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SessionStore } from '../session-store.interface.js';
import {
  DEFAULT_SESSION_STORE_HEALTH_OPTIONS,
  type SessionStoreHealthOptions,
} from './session-store-health.options.js';
import { pingSessionStore } from './store-ping.js';

/**
 * A `@nestjs/terminus` health indicator for the session store the `SessionModule` uses, whichever
 * it is (memory, cluster-shared, Redis, or an express-session store behind
 * `fromExpressSessionStore`): `up` when a ping answers within `timeoutMs`, else `down` (HTTP 503)
 * with the store's error or the timeout as `message`. A ping that hangs never holds the check up
 * longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.sessionStore.isHealthy('sessionStore', { timeoutMs: 500 })]);
 * }
 * ```
 */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SessionStore) private readonly store: SessionStore,
  ) {}

  /**
   * Pings the store.
   *
   * @param key - the key of the result in terminus' answer, e.g. `'sessionStore'`.
   * @param options - the timeout.
   */
  async isHealthy<const Key extends string>(
    key: Key,
    options: SessionStoreHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const { timeoutMs } = { ...DEFAULT_SESSION_STORE_HEALTH_OPTIONS, ...options };
    const check = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`The session store did not answer within ${timeoutMs} ms`), timeoutMs);
    });
    const pinged = pingSessionStore(this.store).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    );
    try {
      const failure = await Promise.race([pinged, timedOut]);
      return failure === undefined ? check.up() : check.down({ message: failure });
    } finally {
      clearTimeout(timer);
    }
  }
}
