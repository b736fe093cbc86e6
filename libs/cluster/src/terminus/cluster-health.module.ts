import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClusterHealthIndicator } from './cluster-health.indicator.js';

/**
 * Provides {@link ClusterHealthIndicator}. Import it next to `ClusterModule` (which it needs, and
 * which is global by default) in the app that serves the health route.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [ClusterModule.forRoot(), TerminusModule, ClusterHealthModule],
 *   controllers: [HealthController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [TerminusModule],
  providers: [ClusterHealthIndicator],
  exports: [ClusterHealthIndicator],
})
export class ClusterHealthModule {}
