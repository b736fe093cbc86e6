import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import {
  getSessionStoreToken,
  InvalidSessionOptionsError,
  MemorySessionStore,
  NestSessionDecoratorError,
  SessionModule,
  type SessionModuleOptions,
  SessionStore,
} from '@nest-hive/session';
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
import { createAppOn, HTTP_ADAPTERS } from '../support/http-adapters.js';

describe.each(HTTP_ADAPTERS)('SessionModule (%s)', (adapter) => {
  let t: SessionTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  describe('a failing store', () => {
    it('answers 503 for requests that need the session, logs the cause, and leaves other routes alone', async () => {
      t = await startSessionApp({ adapter });
      const cookie = (await request(t.url, '/probe/visit')).sessionCookie;
      t.store.failure = new Error('connection refused by test');
      const read = await request(t.url, '/probe/read', { cookie });
      expect(read.status).toBe(503);
      expect(read.json).toMatchObject({
        statusCode: 503,
        message: expect.stringContaining('Session store unavailable'),
      });
      const plain = await request(t.url, '/probe/none', { cookie });
      expect(plain.status).toBe(200);
      expect(t.logger.text()).toContain('connection refused by test');
      t.store.failure = undefined;
      expect((await request(t.url, '/probe/read', { cookie })).json).toMatchObject({ data: { visits: 1 } });
      expect(t.logger.text()).toMatch(/answering again/);
    });

    it('answers 503 instead of 200 when the save before the response fails', async () => {
      t = await startSessionApp({ adapter });
      t.store.failure = new Error('write refused by test');
      const reply = await request(t.url, '/probe/visit');
      expect(reply.status).toBe(503);
      expect(reply.setCookies).toEqual([]);
      expect(t.logger.text()).toContain('write refused by test');
    });

    it('fails a @Res() response that could not be saved instead of sending it', async () => {
      t = await startSessionApp({ adapter });
      t.store.failure = new Error('write refused by test');
      const reply = await request(t.url, '/probe/with-res');
      expect(reply.status).toBe(503);
      expect(reply.body).not.toContain('"via"');
    });
  });

  describe('data keys', () => {
    it.each(['id', 'cookie', 'save', 'destroy', 'isNew', 'regenerate'])(
      'refuses "%s" as a data key and saves nothing',
      async (key) => {
        t = await startSessionApp({ adapter });
        const reply = await request(t.url, `/probe/reserved?k=${key}`);
        expect(reply.status).toBe(500);
        expect(t.store.calls.set).toBe(0);
        expect(t.logger.text()).toContain(`"${key}" is reserved`);
      },
    );

    it('refuses a session over maxSessionBytes with 413 and stores nothing', async () => {
      t = await startSessionApp({ adapter, session: { maxSessionBytes: 1024 } });
      const small = await request(t.url, '/probe/big?bytes=100');
      expect(small.status).toBe(200);
      const big = await request(t.url, '/probe/big?bytes=5000', { cookie: small.sessionCookie });
      expect(big.status).toBe(413);
      expect(big.json).toMatchObject({ message: expect.stringContaining('maxSessionBytes') });
      const after = await request(t.url, '/probe/read', { cookie: small.sessionCookie });
      expect(((after.json as { data: { blob: string } }).data.blob ?? '').length).toBe(100);
    });

    it('refuses a value JSON cannot hold with a clear error', async () => {
      t = await startSessionApp({ adapter, controllers: [OtherAccessController] });
      const reply = await request(t.url, '/other/write-bigint');
      expect(reply.status).toBe(500);
      expect(t.logger.text()).toContain('not JSON-serializable');
      expect(t.store.calls.set).toBe(0);
    });
  });

  describe('other ways to reach the session', () => {
    it('SessionService in a guard, @UseSession() with req.session and with Nest’s own @Session()', async () => {
      t = await startSessionApp({ adapter, controllers: [ProbeController, OtherAccessController] });
      expect((await request(t.url, '/other/guarded')).status).toBe(403);
      const cookie = (await request(t.url, '/probe/write?k=user&v=ann')).sessionCookie;
      const guarded = await request(t.url, '/other/guarded', { cookie });
      expect(guarded.json).toEqual({ user: 'ann', peeked: true });
      expect((await request(t.url, '/other/nest-decorator', { cookie })).json).toEqual({
        user: 'ann',
        hasId: true,
      });
      await request(t.url, '/other/req-session', { cookie });
      expect((await request(t.url, '/other/req-session', { cookie })).json).toEqual({ visits: 2 });
      t.store.reset();
      expect((await request(t.url, '/other/not-loaded', { cookie })).json).toEqual({ loaded: false });
      expect(t.store.total).toBe(0);
    });

    it('InjectSessionStore() and getSessionStoreToken() give the active store', async () => {
      t = await startSessionApp({ adapter, controllers: [ProbeController, OtherAccessController] });
      await request(t.url, '/probe/visit');
      expect((await request(t.url, '/other/store-size')).json).toEqual({ size: 1 });
      expect(t.app.get(getSessionStoreToken())).toBe(t.store);
    });

    it('Nest’s @Session() without @UseSession() fails start-up with an error naming the fix', async () => {
      const failure = startSessionApp({ adapter, controllers: [BareNestSessionController] });
      await expect(failure).rejects.toBeInstanceOf(NestSessionDecoratorError);
      await expect(failure).rejects.toThrow(
        /BareNestSessionController\.bare\(\).*'@nest-hive\/session'.*@UseSession\(\)/,
      );
    });
  });

  describe('routes', () => {
    it('forRoutes/exclude narrow the middleware; a handler outside it gets a clear 500', async () => {
      t = await startSessionApp({
        adapter,
        controllers: [ScopedController],
        session: { exclude: ['scoped/out'] },
      });
      const inside = await request(t.url, '/scoped/in');
      expect(inside.json).toEqual({ n: 1 });
      const outside = await request(t.url, '/scoped/out');
      expect(outside.status).toBe(500);
      expect(t.logger.text()).toContain('forRoutes');
      expect((await request(t.url, '/scoped/plain')).status).toBe(200);
    });

    it('forRoutes limits the middleware to the listed routes', async () => {
      t = await startSessionApp({
        adapter,
        controllers: [ScopedController],
        session: { forRoutes: ['scoped/in'] },
      });
      expect((await request(t.url, '/scoped/in')).status).toBe(200);
      expect((await request(t.url, '/scoped/out')).status).toBe(500);
    });
  });

  describe('forRootAsync', () => {
    it('takes options from a factory with injected dependencies', async () => {
      @Injectable()
      class SecretSource {
        readonly secret = TEST_SECRET;
      }
      @Module({ providers: [SecretSource], exports: [SecretSource] })
      class ConfigModule {}

      @Module({
        imports: [
          SessionModule.forRootAsync({
            imports: [ConfigModule],
            inject: [SecretSource],
            useFactory: (source: SecretSource): SessionModuleOptions => ({
              secret: source.secret,
              name: 'async_sid',
            }),
          }),
        ],
        controllers: [ProbeController],
      })
      class AsyncAppModule {}
      const app = await createAppOn(adapter, AsyncAppModule, { logger: false });
      await app.listen(0, '127.0.0.1');
      try {
        const url = appUrl(app);
        const created = await request(url, '/probe/visit', { cookieName: 'async_sid' });
        expect(created.sessionCookie).toMatch(/^async_sid=/);
        const again = await request(url, '/probe/visit', {
          cookie: created.sessionCookie,
          cookieName: 'async_sid',
        });
        expect(again.json).toMatchObject({ data: { visits: 2 } });
        expect(app.get(SessionStore)).toBeInstanceOf(MemorySessionStore);
      } finally {
        await app.close();
      }
    });

    it('takes options from a class', async () => {
      @Injectable()
      class SessionOptionsFactory {
        createSessionOptions(): SessionModuleOptions {
          return { secret: TEST_SECRET, name: 'class_sid' };
        }
      }
      @Module({
        imports: [SessionModule.forRootAsync({ useClass: SessionOptionsFactory })],
        controllers: [ProbeController],
      })
      class ClassAppModule {}
      const app = await createAppOn(adapter, ClassAppModule, { logger: false });
      await app.listen(0, '127.0.0.1');
      try {
        const url = appUrl(app);
        const created = await request(url, '/probe/visit', { cookieName: 'class_sid' });
        expect(created.sessionCookie).toMatch(/^class_sid=/);
      } finally {
        await app.close();
      }
    });
  });

  describe('start-up checks', () => {
    const cases: Array<[string, Partial<SessionModuleOptions>, RegExp]> = [
      ['a missing secret', { secret: undefined }, /`secret` is required/],
      ['a short secret', { secret: 'too-short-secret' }, /`secret` is 16 characters; it must be at least 32/],
      ['a repeated pattern', { secret: 'abcd'.repeat(10) }, /`secret` looks like a placeholder/],
      ['a documentation placeholder', { secret: 'keyboard cat keyboard cat keyboard cat!' }, /placeholder/],
      ['a short secret in a rotation list', { secret: [TEST_SECRET, 'short'] }, /`secret\[1\]`/],
      ['an empty secret list', { secret: [] }, /at least one secret/],
      [
        'SameSite=None on an insecure cookie',
        { cookie: { sameSite: 'none', secure: false } },
        /cookie\.sameSite/,
      ],
      ['a bad cookie name', { name: 'bad name;' }, /`name`/],
      ['an unknown cookie format', { cookie: { format: 'signed' as 'nest-hive' } }, /`cookie\.format`/],
      ['an eager option of the wrong shape', { eager: { forRoutes: [] } }, /`eager\.forRoutes`/],
      [
        'a store without touch()',
        { store: { get: async () => undefined, set: async () => {}, destroy: async () => {} } as never },
        /`store` must implement SessionStore: touch\(\) missing/,
      ],
    ];
    it.each(cases)('refuses %s with a message naming the option', async (_label, session, message) => {
      const logger = new CapturingLogger();
      @Module({ imports: [SessionModule.forRoot({ secret: TEST_SECRET, ...session })] })
      class BadModule {}
      const creating = createAppOn(adapter, BadModule, { logger, abortOnError: false });
      await expect(creating).rejects.toBeInstanceOf(InvalidSessionOptionsError);
      await expect(creating).rejects.toThrow(message);
    });
  });
});
