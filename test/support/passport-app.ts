import {
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  Post,
  Query,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportSerializer, PassportStrategy } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import type { Request, RequestHandler } from 'express';
import passport from 'passport';
import { Strategy } from 'passport-local';
import { Session, SessionModule, type SessionModuleOptions } from '@nest-hive/session';
import { CountingStore } from './counting-store.js';
import { appUrl, CapturingLogger, TEST_SECRET } from './session-app.js';

/** A user of the Passport test apps. */
export interface TestUser {
  username: string;
}

/** The password of `username` in the test apps: every user name gets its own. */
export const passwordOf = (username: string): string => `pw-${username}-42`;

function isTestUser(value: unknown): value is TestUser {
  return typeof value === 'object' && value !== null && typeof (value as TestUser).username === 'string';
}

@Injectable()
class TestLocalStrategy extends PassportStrategy(Strategy) {
  validate(username: string, password: string): TestUser | null {
    return /^[a-z][a-z0-9]{0,15}$/.test(username) && password === passwordOf(username) ? { username } : null;
  }
}

@Injectable()
class TestSerializer extends PassportSerializer {
  serializeUser(user: TestUser, done: (error: Error | null, id?: string) => void): void {
    done(null, user.username);
  }
  deserializeUser(id: unknown, done: (error: Error | null, user?: TestUser | false) => void): void {
    done(null, typeof id === 'string' ? { username: id } : false);
  }
}

@Injectable()
class TestLocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest<Request>());
    return result;
  }
}

@Injectable()
class TestAuthenticatedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<Request>().isAuthenticated()) throw new UnauthorizedException();
    return true;
  }
}

interface NoteData {
  note?: string;
}

/** The Passport routes: `/auth/*` (eager when the app says so). */
@Controller('auth')
class TestAuthController {
  @Post('login')
  @HttpCode(200)
  @UseGuards(TestLocalAuthGuard)
  login(@Req() req: Request): { user: TestUser } {
    if (!isTestUser(req.user)) throw new UnauthorizedException();
    return { user: req.user };
  }

  @Get('me')
  @UseGuards(TestAuthenticatedGuard)
  me(@Req() req: Request): { user: TestUser } {
    if (!isTestUser(req.user)) throw new UnauthorizedException();
    return { user: req.user };
  }

  /** `req.logout(cb)`; with `?keepSessionInfo=1`, `req.logout({ keepSessionInfo: true }, cb)`. */
  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Query('keepSessionInfo') keep?: string): Promise<{ ok: true }> {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void =>
        error ? reject(error instanceof Error ? error : new Error('logout failed')) : resolve();
      if (keep === '1') req.logout({ keepSessionInfo: true }, done);
      else req.logout(done);
    });
    return { ok: true };
  }

  /** What `req.session` holds on an eager route, without `@Session()`. */
  @Get('session')
  session(@Req() req: Request & { session?: Record<string, unknown> }): { loaded: boolean; data: unknown } {
    return { loaded: req.session !== undefined, data: req.session ? { ...req.session } : null };
  }
}

/** Routes outside the eager set: lazy, as usual. */
@Controller('free')
class FreeController {
  @Get('ping')
  ping(@Req() req: { session?: unknown }): { ok: true; loaded: boolean } {
    return { ok: true, loaded: req.session !== undefined };
  }

  @Get('note')
  note(@Session() session: Session<NoteData>, @Query('v') value?: string): { note: string | null } {
    if (value !== undefined) session.note = value;
    return { note: session.note ?? null };
  }
}

/** Where the app mounts `passport.initialize()` and `passport.session()`. */
export type PassportMount =
  /** `app.use()` in main.ts, right after the app is created (needs `eager: true`). */
  | 'main'
  /** A `MiddlewareConsumer` on the `/auth` routes (goes with `eager: { forRoutes }`). */
  | 'consumer';

/** Options of {@link startPassportApp}. */
export interface PassportAppOptions {
  session?: Partial<SessionModuleOptions>;
  mount: PassportMount;
  /** Passport's `keepSessionInfo` for login and logout. */
  keepSessionInfo?: boolean;
  /** Build the app with `Test.createTestingModule()` instead of `NestFactory.create()`. */
  testingModule?: boolean;
  store?: CountingStore;
}

/** A running Passport test app. */
export interface PassportTestApp {
  app: INestApplication;
  url: string;
  store: CountingStore;
  logger: CapturingLogger;
  close(): Promise<void>;
}

/**
 * Starts a Nest app that logs users in with the real `passport`,
 * `passport-local` and `@nestjs/passport` over `@nest-hive/session` (on a
 * counting memory store), the way Nest's docs do it.
 */
export async function startPassportApp(options: PassportAppOptions): Promise<PassportTestApp> {
  const store = options.store ?? new CountingStore();
  const logger = new CapturingLogger();

  @Module({
    imports: [PassportModule.register({ session: true, keepSessionInfo: options.keepSessionInfo ?? false })],
    controllers: [TestAuthController],
    providers: [TestLocalStrategy, TestSerializer],
  })
  class TestAuthModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      if (options.mount === 'consumer') {
        consumer
          .apply(passport.initialize(), passport.session() as RequestHandler)
          .forRoutes(TestAuthController);
      }
    }
  }

  const root: DynamicModule = {
    module: class PassportTestAppModule {},
    imports: [SessionModule.forRoot({ secret: TEST_SECRET, store, ...options.session }), TestAuthModule],
    controllers: [FreeController],
  };

  let app: INestApplication;
  if (options.testingModule) {
    const moduleRef = await Test.createTestingModule({ imports: [root] })
      .setLogger(logger)
      .compile();
    app = moduleRef.createNestApplication({ logger });
  } else {
    app = await NestFactory.create(root, { logger, abortOnError: false });
  }
  if (options.mount === 'main') {
    app.use(passport.initialize());
    app.use(passport.session());
  }
  await app.listen(0, '127.0.0.1');
  return { app, url: appUrl(app), store, logger, close: () => app.close() };
}
