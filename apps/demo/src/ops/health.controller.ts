import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ClusterHealthIndicator } from '@nest-hive/cluster/terminus';
import { SessionStoreHealthIndicator } from '@nest-hive/session/terminus';

/** How long the health route waits for the primary and for the session store. */
const CHECK_TIMEOUT_MS = 1_000;

/**
 * `GET /health` in terminus' shape: 200 `{ status: 'ok', info: { cluster, sessionStore } }`, or
 * 503 `{ status: 'error', ... }` when a slot was given up or the session store does not answer.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cluster: ClusterHealthIndicator,
    private readonly sessionStore: SessionStoreHealthIndicator,
  ) {}

  /** Checks the cluster and the session store. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.cluster.isHealthy('cluster', { timeoutMs: CHECK_TIMEOUT_MS }),
      () => this.sessionStore.isHealthy('sessionStore', { timeoutMs: CHECK_TIMEOUT_MS }),
    ]);
  }
}
