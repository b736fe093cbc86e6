/**
 * `@nest-hive/session/terminus`: a `@nestjs/terminus` health indicator that pings the session
 * store, with a timeout. Needs `@nestjs/terminus`, an optional peer dependency that nothing else
 * of this package loads.
 *
 * @packageDocumentation
 */
export { SessionHealthModule } from './session-health.module.js';
export { SessionStoreHealthIndicator } from './session-store-health.indicator.js';
export { type SessionStoreHealthOptions } from './session-store-health.options.js';
