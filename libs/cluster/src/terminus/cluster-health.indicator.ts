import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { type WorkersSnapshot } from '../cluster.interfaces.js';
import { ClusterService } from '../cluster.service.js';
import { type ClusterHealthOptions, DEFAULT_CLUSTER_HEALTH_OPTIONS } from './cluster-health.options.js';
import { withTimeout } from './with-timeout.js';

/**
 * A `@nestjs/terminus` health indicator for the cluster: ready workers against the number wanted,
 * and the slots the crash-loop guard gave up, as the primary sees them.
 *
 * - `up` with `{ ready, desired }` when every wanted worker is ready;
 * - `degraded` (HTTP 200) when fewer are ready but at least `minReady` (a worker being respawned);
 * - `down` (HTTP 503) when the cluster is shutting down (from `SIGTERM` on, so a load balancer takes
 *   the machine out during `shutdownDelayMs`), a slot was given up, fewer than `minReady` are
 *   ready, or the primary does not answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.cluster.isHealthy('cluster')]);
 * }
 * ```
 */
@Injectable()
export class ClusterHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly cluster: ClusterService,
  ) {}

  /**
   * Asks the primary for the worker table and judges it.
   *
   * @param key - the key of the result in terminus' answer, e.g. `'cluster'`.
   * @param options - thresholds and timeout.
   */
  async isHealthy<const Key extends string>(
    key: Key,
    options: ClusterHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const { minReady, timeoutMs } = { ...DEFAULT_CLUSTER_HEALTH_OPTIONS, ...options };
    const check = this.health.check(key);
    let snapshot: WorkersSnapshot;
    try {
      snapshot = await withTimeout(this.cluster.workers(), timeoutMs, 'The primary');
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
    const ready = snapshot.workers.filter((worker) => worker.state === 'ready').length;
    const { desired, givenUpSlots } = snapshot;
    if (snapshot.shuttingDown) {
      return check.down({ ready, desired, shuttingDown: true, message: 'The cluster is shutting down' });
    }
    if (givenUpSlots.length > 0) {
      return check.down({
        ready,
        desired,
        givenUpSlots,
        message: `${givenUpSlots.length} slot(s) given up after a crash loop (slots ${givenUpSlots.join(', ')})`,
      });
    }
    if (ready < Math.min(minReady, desired)) {
      return check.down({ ready, desired, message: `${ready} ready worker(s), fewer than ${minReady}` });
    }
    if (ready < desired) return check.degraded({ ready, desired });
    return check.up({ ready, desired });
  }
}
