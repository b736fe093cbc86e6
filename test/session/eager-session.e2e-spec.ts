import { afterEach, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Module, Req, RequestMethod, Session as NestSession } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { SessionModule, SessionService, type SessionModuleOptions } from '@nest-hive/session';
import { CountingStore } from '../support/counting-store.js';
import {
  BareNestSessionController,
  OtherAccessController,
  ScopedController,
} from '../support/extra.controllers.js';
import { request } from '../support/http.js';
import { ProbeController } from '../support/probe.controller.js';
import {
  appUrl,
  CapturingLogger,
  startSessionApp,
  TEST_SECRET,
  type SessionTestApp,
} from '../support/session-app.js';
import { createHttpAdapter, HTTP_ADAPTERS } from '../support/http-adapters.js';

/** Reads `req.session` the way Express middleware does: synchronously, whatever the route. */
@Controller('sync')
class SyncReadController {
  @Get('user')
  user(@Req() req: { session?: { user?: string } }): { loaded: boolean; user: string | null } {
    return { loaded: req.session !== undefined, user: req.session?.user ?? null };
  }

  @Get('plain')
  plain(@Req() req: { session?: unknown }): { loaded: boolean } {
    return { loaded: req.session !== undefined };
  }
}

/** Nest's own `@Session()` on a controller listed in `eager.forRoutes`. */
@Controller('nest')
class NestDecoratorController {
  @Get()
  read(@NestSession() session: { user?: string }): { user: string | null } {
    return { user: session.user ?? null };
  }
}

describe.each(HTTP_ADAPTERS)('eager loading (%s)', (adapter) => {
  let t: SessionTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  async function start(session: Partial<SessionModuleOptions>): Promise<SessionTestApp> {
    t = await startSessionApp({
      adapter,
      session,
      controllers: [ProbeController, SyncReadController, OtherAccessController],
    });
    return t;
  }

  describe('eager: true', () => {
    it('puts req.session on every request; a request without a cookie costs no store call', async () => {
      const app = await start({ eager: true });
      const anonymous = await request(app.url, '/sync/user');
      expect(anonymous.json).toEqual({ loaded: true, user: null });
      expect(anonymous.setCookies).toEqual([]);
      expect(app.store.total).toBe(0);

      const cookie = (await request(app.url, '/probe/write?k=user&v=ann')).sessionCookie;
      app.store.reset();
      const known = await request(app.url, '/sync/user', { cookie });
      expect(known.json).toEqual({ loaded: true, user: 'ann' });
      expect(known.setCookies).toEqual([]);
      // The cost of eager: the store is read even where the route never looks at the session.
      await request(app.url, '/probe/none', { cookie });
      expect(app.store.calls).toEqual({ get: 2, set: 0, patch: 0, destroy: 0, touch: 0 });
    });

    it('lets Nest’s own @Session() work without @UseSession()', async () => {
      t = await startSessionApp({
        adapter,
        session: { eager: true },
        controllers: [ProbeController, BareNestSessionController],
      });
      const cookie = (await request(t.url, '/probe/write?k=user&v=bob')).sessionCookie;
      expect((await request(t.url, '/bare', { cookie })).json).toEqual({ user: 'bob' });
    });

    it('answers 503 (as Nest would) when the store fails, then recovers', async () => {
      const app = await start({ eager: true });
      const cookie = (await request(app.url, '/probe/write?k=user&v=cy')).sessionCookie;
      app.store.failure = new Error('eager load refused by the test');
      const down = await request(app.url, '/sync/user', { cookie });
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toMatch(/^application\/json/);
      expect(down.json).toEqual({
        statusCode: 503,
        message: 'Session store unavailable, please retry shortly',
        error: 'Service Unavailable',
      });
      // No cookie, no store call: the request goes through.
      expect((await request(app.url, '/sync/user')).status).toBe(200);
      expect(app.logger.text()).toContain('eager load refused by the test');
      app.store.failure = undefined;
      expect((await request(app.url, '/sync/user', { cookie })).json).toEqual({ loaded: true, user: 'cy' });
    });

    it('with forRoutes/exclude, loads on the covered routes only', async () => {
      t = await startSessionApp({
        adapter,
        session: { eager: true, exclude: ['sync/plain'] },
        controllers: [ProbeController, SyncReadController],
      });
      const cookie = (await request(t.url, '/probe/write?k=user&v=dee')).sessionCookie;
      expect((await request(t.url, '/sync/user', { cookie })).json).toEqual({ loaded: true, user: 'dee' });
      t.store.reset();
      expect((await request(t.url, '/sync/plain', { cookie })).json).toEqual({ loaded: false });
      expect(t.store.total).toBe(0);
    });
  });

  describe('eager: { forRoutes, exclude }', () => {
    it('loads on the listed routes (paths, RouteInfo, controllers) and nowhere else', async () => {
      const app = await start({
        eager: { forRoutes: [{ path: 'sync/user', method: RequestMethod.GET }, OtherAccessController] },
      });
      const cookie = (await request(app.url, '/probe/write?k=user&v=eve')).sessionCookie;
      app.store.reset();
      expect((await request(app.url, '/sync/user', { cookie })).json).toEqual({ loaded: true, user: 'eve' });
      expect((await request(app.url, '/other/not-loaded', { cookie })).json).toEqual({ loaded: true });
      expect(app.store.calls.get).toBe(2);
      app.store.reset();
      expect((await request(app.url, '/probe/none', { cookie })).status).toBe(200);
      expect(app.store.total).toBe(0);
    });

    it('lets Nest’s own @Session() work on a controller listed in forRoutes', async () => {
      t = await startSessionApp({
        adapter,
        session: { eager: { forRoutes: [NestDecoratorController] } },
        controllers: [ProbeController, NestDecoratorController],
      });
      const cookie = (await request(t.url, '/probe/write?k=user&v=hal')).sessionCookie;
      expect((await request(t.url, '/nest', { cookie })).json).toEqual({ user: 'hal' });
    });

    it('still refuses Nest’s @Session() on a controller it cannot tell is eager', async () => {
      const failure = startSessionApp({
        adapter,
        session: { eager: { forRoutes: ['nest'] } },
        controllers: [NestDecoratorController],
      });
      await expect(failure).rejects.toThrow(/NestDecoratorController\.read\(\).*eager/);
    });

    it('a failed load goes through Nest’s exception filters: 503', async () => {
      const app = await start({ eager: { forRoutes: ['sync/*path'] } });
      const cookie = (await request(app.url, '/probe/write?k=user&v=fay')).sessionCookie;
      app.store.failure = new Error('refused');
      expect((await request(app.url, '/sync/user', { cookie })).json).toMatchObject({ statusCode: 503 });
      expect((await request(app.url, '/probe/none', { cookie })).status).toBe(200);
    });
  });
});

describe.each(HTTP_ADAPTERS)(
  'the session middleware runs before middleware added in main.ts (%s)',
  (adapter) => {
    /** `app.use()` middleware that reads the session through SessionService, before any route. */
    function sessionReadingMiddleware(sessions: SessionService) {
      return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
        if (req.url !== '/early') return next();
        sessions.get<{ user?: string }>(req).then(
          (session) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ user: session.user ?? null }));
          },
          (error: unknown) => next(error),
        );
      };
    }

    it.each([
      ['NestFactory.create()', false],
      ['Test.createTestingModule().createNestApplication()', true],
    ])('with %s, even when lazy', async (_label, testing) => {
      const store = new CountingStore();
      @Module({
        imports: [SessionModule.forRoot({ secret: TEST_SECRET, store })],
        controllers: [ProbeController, ScopedController],
      })
      class EarlyModule {}
      const logger = new CapturingLogger();
      const app = testing
        ? (
            await Test.createTestingModule({ imports: [EarlyModule] })
              .setLogger(logger)
              .compile()
          ).createNestApplication(createHttpAdapter(adapter), { logger })
        : await NestFactory.create(EarlyModule, createHttpAdapter(adapter), { logger });
      app.use(sessionReadingMiddleware(app.get(SessionService)));
      await app.listen(0, '127.0.0.1');
      try {
        const url = appUrl(app);
        const cookie = (await request(url, '/probe/write?k=user&v=gil')).sessionCookie;
        expect((await request(url, '/early', { cookie })).json).toEqual({ user: 'gil' });
        store.reset();
        expect((await request(url, '/probe/none', { cookie })).status).toBe(200);
        expect(store.total).toBe(0);
      } finally {
        await app.close();
      }
    });
  },
);
