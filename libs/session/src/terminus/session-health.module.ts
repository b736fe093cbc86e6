import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionStoreHealthIndicator } from './session-store-health.indicator.js';

/**
 * Provides {@link SessionStoreHealthIndicator}. Import it in the app that serves the health
 * route, next to `SessionModule` (global by default; with `isGlobal: false`, import both in the
 * same module).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [SessionModule.forRoot({ secret }), TerminusModule, SessionHealthModule],
 *   controllers: [HealthController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [TerminusModule],
  providers: [SessionStoreHealthIndicator],
  exports: [SessionStoreHealthIndicator],
})
export class SessionHealthModule {}
