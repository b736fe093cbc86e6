import {
  Inject,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { NestSessionDecoratorCheck } from './nest-session-decorator.check.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { SessionMiddleware } from './session.middleware.js';
import { sessionRuntimeProvider, sessionStoreProvider } from './session.providers.js';
import { SessionService } from './session.service.js';
import type { SessionModuleOptions } from './session-options.interface.js';
import { SessionStore } from './session-store.interface.js';

/**
 * Lazy sessions for a Nest application. Mounts its own middleware on every
 * route (narrow it with `forRoutes`/`exclude`) and is global by default.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [SessionModule.forRoot({ secret: process.env.SESSION_SECRET! })],
 * })
 * export class AppModule {}
 * ```
 * @example
 * ```ts
 * SessionModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ secret: config.getOrThrow('SESSION_SECRET') }),
 * })
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    sessionStoreProvider,
    sessionRuntimeProvider,
    SessionService,
    SessionMiddleware,
    NestSessionDecoratorCheck,
  ],
  exports: [SessionService, SessionStore],
})
export class SessionModule
  extends ConfigurableSessionModule
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(SESSION_MODULE_OPTIONS) private readonly options: SessionModuleOptions,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly nestSessionCheck: NestSessionDecoratorCheck,
    private readonly middleware: SessionMiddleware,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
  }

  /**
   * Mounts the session middleware. For every route (the default) it goes on
   * the HTTP adapter directly, which skips Nest's per-request route matching;
   * with `forRoutes`/`exclude` it goes through the `MiddlewareConsumer`.
   */
  configure(consumer: MiddlewareConsumer): void {
    const { forRoutes, exclude = [] } = this.options;
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!forRoutes && exclude.length === 0 && adapter) {
      adapter.use(this.middleware.handler);
      return;
    }
    const proxy = consumer.apply(SessionMiddleware);
    (exclude.length > 0 ? proxy.exclude(...exclude) : proxy).forRoutes(...(forRoutes ?? ['*']));
  }

  /** Fails start-up when a handler uses Nest's `@Session()` without `@UseSession()`. */
  onModuleInit(): void {
    this.nestSessionCheck.assertNoUnloadedNestSession();
  }

  /**
   * Closes the store, whether this module built it or got it in its options: the store lives as
   * long as the app. A store closes only what it opened itself (a Redis client passed to
   * `RedisSessionStore` stays open for its owner to close).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}
