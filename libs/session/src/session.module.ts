import {
  Inject,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { addFastifyCommitHook } from './adapters/fastify-commit-hook.js';
import { decorateFastifyRequestSession } from './adapters/fastify-request-session.js';
import { onEveryRequest } from './adapters/server-request-listener.js';
import { SessionRuntime } from './core/session-runtime.js';
import { NestSessionDecoratorCheck } from './nest-session-decorator.check.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { EagerSessionMiddleware, SessionMiddleware } from './session.middleware.js';
import { sessionRuntimeProvider, sessionStoreProvider } from './session.providers.js';
import { SessionService } from './session.service.js';
import { SessionSockets } from './users/session-sockets.js';
import { UserSessions } from './users/user-sessions.service.js';
import type { SessionModuleOptions } from './session-options.interface.js';
import { SessionStore } from './session-store.interface.js';

/**
 * Lazy sessions for a Nest application. Mounts its own middleware on every
 * route (narrow it with `forRoutes`/`exclude`) and is global by default.
 *
 * Covering every route, the middleware goes on the HTTP adapter as soon as
 * the application exists (inside `NestFactory.create()` or
 * `createNestApplication()`), so it runs before middleware that `main.ts`
 * adds with `app.use()`: with `eager: true`, `app.use(passport.session())`
 * finds `req.session` as it would behind express-session.
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
    UserSessions,
    SessionSockets,
    SessionMiddleware,
    EagerSessionMiddleware,
    NestSessionDecoratorCheck,
  ],
  exports: [SessionService, UserSessions, SessionSockets, SessionStore, SessionRuntime],
})
export class SessionModule
  extends ConfigurableSessionModule
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  /** The adapter the middleware was mounted on directly, if any. */
  private mountedOn: unknown;
  private readonly adapterReady: Subscription;
  /** The server whose requests are prepared by a listener, if any. */
  private listeningOn: unknown;
  /** Removes that listener. */
  private unmount: (() => void) | undefined;
  /** Why the adapter could not be prepared, if it could not. */
  private adapterError: Error | undefined;

  constructor(
    @Inject(SESSION_MODULE_OPTIONS) private readonly options: SessionModuleOptions,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly nestSessionCheck: NestSessionDecoratorCheck,
    private readonly middleware: SessionMiddleware,
    private readonly adapterHost: HttpAdapterHost,
    private readonly runtime: SessionRuntime,
  ) {
    super();
    // The adapter is set before the modules are created (NestFactory.create)
    // or right after (a testing module's createNestApplication()); either way
    // this runs before any app.use() of the application's own.
    this.adapterReady = adapterHost.init$.subscribe(() => {
      try {
        this.prepareAdapter();
      } catch (error) {
        // Thrown from onModuleInit(), so start-up fails with it.
        this.adapterError = error instanceof Error ? error : new Error(String(error));
        return;
      }
      if (this.coversEveryRoute()) this.mountOnAdapter();
    });
  }

  /**
   * On Fastify, makes `req.session` on Fastify's request read the Node
   * request's, and commits sessions in Fastify's `onSend` hook.
   */
  private prepareAdapter(): void {
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter?.getType() !== 'fastify') return;
    const instance: unknown = adapter.getInstance();
    decorateFastifyRequestSession(instance);
    addFastifyCommitHook(instance);
  }

  /**
   * Mounts the session middleware. For every route (the default) it goes on
   * the HTTP adapter directly (done when the application was created), which
   * skips Nest's per-request route matching (on Fastify, when lazy, it is not
   * middleware at all but a listener on the server's `'request'` event, ahead
   * of Fastify and its middleware); with `forRoutes`/`exclude` it
   * goes through the `MiddlewareConsumer`, and so do the routes of
   * `eager: { forRoutes }`, after it.
   */
  configure(consumer: MiddlewareConsumer): void {
    const { forRoutes, exclude = [] } = this.options;
    const eager = this.runtime.config.eager;
    if (this.adapterError === undefined) this.prepareAdapter();
    const onAdapter = this.coversEveryRoute() && this.mountOnAdapter();
    if (onAdapter) this.listenOnServer(this.adapterHost.httpAdapter);
    else {
      const middleware =
        eager.kind === 'all' ? [SessionMiddleware, EagerSessionMiddleware] : [SessionMiddleware];
      const proxy = consumer.apply(...middleware);
      (exclude.length > 0 ? proxy.exclude(...exclude) : proxy).forRoutes(...(forRoutes ?? ['*']));
    }
    if (eager.kind === 'routes') {
      const proxy = consumer.apply(EagerSessionMiddleware);
      const eagerExclude = eager.routes.exclude ?? [];
      (eagerExclude.length > 0 ? proxy.exclude(...eagerExclude) : proxy).forRoutes(...eager.routes.forRoutes);
    }
  }

  private coversEveryRoute(): boolean {
    return !this.options.forRoutes && (this.options.exclude ?? []).length === 0;
  }

  /**
   * Mounts on the current HTTP adapter, once per adapter; `false` when there is none to mount on.
   * Lazy on Fastify that is a listener on its server's `'request'` event (see
   * {@link listenOnServer}): Fastify serves only through its own server, and middleware there
   * costs several times what the listener does. Otherwise it is middleware.
   */
  private mountOnAdapter(): boolean {
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!adapter) return false;
    if (this.mountedOn === adapter) return true;
    const eager = this.runtime.config.eager.kind === 'all';
    if (!eager && adapter.getType() === 'fastify' && this.listenOnServer(adapter)) {
      this.mountedOn = adapter;
      return true;
    }
    const handler = eager ? this.middleware.eagerHandler : this.middleware.handler;
    try {
      adapter.use(handler);
    } catch {
      // An adapter that takes no middleware before its own init(); configure() mounts it then.
      return false;
    }
    this.mountedOn = adapter;
    return true;
  }

  /**
   * Prepares every request the adapter's server receives (see `SessionMiddleware.prepare`), from
   * a listener on its `'request'` event, once per server; `false` while there is no server yet
   * (Express gets its server after the modules are created). Beside the middleware, which then
   * only gives a slot to requests served through a server of the application's own (`new
   * ExpressAdapter(app)` with `http.createServer(app)`), which the listener never sees.
   */
  private listenOnServer(adapter: HttpAdapterHost['httpAdapter']): boolean {
    const server: unknown =
      adapter.getType() === 'fastify'
        ? Reflect.get(Object(adapter.getInstance()), 'server')
        : adapter.getHttpServer();
    if (server === undefined || server === null) return false;
    if (this.listeningOn === server) return true;
    const unmount = onEveryRequest(server, this.middleware.prepare);
    if (!unmount) return false;
    this.unmount?.();
    this.unmount = unmount;
    this.listeningOn = server;
    return true;
  }

  /**
   * Fails start-up when a handler uses Nest's `@Session()` where nothing
   * loads the session first: no `@UseSession()`, and not eager (`eager: true`
   * on every route, or its controller listed in `eager.forRoutes`); and when
   * the HTTP adapter could not be prepared (Fastify with `@fastify/session`).
   */
  onModuleInit(): void {
    if (this.adapterError !== undefined) throw this.adapterError;
    const eager = this.runtime.config.eager;
    if (eager.kind === 'all' && this.coversEveryRoute()) return;
    const eagerControllers = new Set<unknown>(eager.kind === 'routes' ? eager.routes.forRoutes : []);
    this.nestSessionCheck.assertNoUnloadedNestSession((controller) => eagerControllers.has(controller));
  }

  /**
   * Closes the store, whether this module built it or got it in its options: the store lives as
   * long as the app. A store closes only what it opened itself (a Redis client passed to
   * `RedisSessionStore` stays open for its owner to close).
   */
  async onApplicationShutdown(): Promise<void> {
    this.adapterReady.unsubscribe();
    this.unmount?.();
    await this.store.close?.();
  }
}
