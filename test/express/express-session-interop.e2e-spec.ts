import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import { cookieValue, request, type Reply } from '../support/http.js';
import { postgresReachable, TestSchema } from '../support/postgres.js';
import { startNode, waitFor, type RunningProcess } from '../support/processes.js';
import { deleteKeys, redisReachable, uniquePrefix } from '../support/redis.js';

const redisUp = await redisReachable();
const postgresUp = await postgresReachable();

const NEW_SECRET = 'Vt3Kp8Wq1Zx6Lm4Nb9Hr2Jd7Fs5Gc0Ya-_Qe3Ui8Oo1Pw6Xk';
const OLD_SECRET = 'Hc9Rm2Tq7Wn4Lx1Bv6Zk3Pd8Fs0Gy5Ja-_Ue4Io9Oa2Qw7Me';
const UNKNOWN_SECRET = 'Nq5Bz1Xw8Kl3Mv6Rc0Tp4Jh9Gd2Fs7Ya-_Ie5Uo1Oa8Qw3Le';
const COOKIE = 'connect.sid';

interface InteropApp {
  url: string;
  process: RunningProcess;
}

async function startApp(script: string, env: Record<string, string>): Promise<InteropApp> {
  const child = startNode(`dist-test/fixtures/express-interop/${script}`, env);
  try {
    const port = await waitFor(`${script} to listen`, () => /READY (\d+)/.exec(child.output())?.[1], 20_000);
    return { url: `http://127.0.0.1:${port}`, process: child };
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
}

const call = (app: InteropApp, path: string, cookie?: string, body?: unknown): Promise<Reply> =>
  request(app.url, path, {
    method: path === '/login' || path === '/logout' || path.startsWith('/cart?') ? 'POST' : 'GET',
    cookie,
    body,
    cookieName: COOKIE,
  });

/** The same session id signed with another secret, as express-session would send it. */
const resigned = (pair: string, secret: string): string => {
  const value = decodeURIComponent(cookieValue(pair));
  const id = value.slice(2, value.lastIndexOf('.'));
  return `${COOKIE}=${encodeURIComponent(`s:${sign(id, secret)}`)}`;
};

const BACKENDS: Array<
  [string, boolean, () => Promise<{ env: Record<string, string>; dispose(): Promise<void> }>]
> = [
  [
    'connect-redis 9 on the real Redis',
    redisUp,
    async () => {
      const prefix = uniquePrefix('interop');
      return {
        env: { INTEROP_STORE: 'redis', INTEROP_PREFIX: prefix },
        dispose: () => deleteKeys(`${prefix}*`),
      };
    },
  ],
  [
    'connect-pg-simple 10 on the real PostgreSQL',
    postgresUp,
    async () => {
      const schema = await TestSchema.create('interop');
      return { env: { INTEROP_STORE: 'pg', INTEROP_SCHEMA: schema.name }, dispose: () => schema.drop() };
    },
  ],
];

describe.each(BACKENDS)(
  'an express-session app and a @nest-hive/session app sharing %s and one secret',
  (_name, available, backend) => {
    (available ? describe : describe.skip)('in separate processes', () => {
      let express: InteropApp;
      let nest: InteropApp;
      let dispose: () => Promise<void>;

      beforeAll(async () => {
        const shared = await backend();
        dispose = shared.dispose;
        const env = { ...shared.env, INTEROP_SECRETS: `${NEW_SECRET},${OLD_SECRET}` };
        // One after the other: connect-pg-simple creates its table on first use.
        express = await startApp('express-session-app.js', env);
        await call(express, '/me');
        nest = await startApp('nest-hive-app.js', env);
      }, 60_000);

      afterAll(async () => {
        await nest?.process.stop();
        await express?.process.stop();
        await dispose?.();
      });

      it('a user logged in on express-session stays logged in on nest-hive, and data flows both ways', async () => {
        const login = await call(express, '/login', undefined, { username: 'ann', password: 'pw-ann' });
        expect(login.status).toBe(200);
        const cookie = login.sessionCookie;
        expect(cookie).toMatch(/^connect\.sid=s%3A[\w-]+\.[\w%]+$/);

        expect((await call(nest, '/me', cookie)).json).toEqual({ user: { username: 'ann' } });
        const written = await call(nest, '/cart?item=apple', cookie);
        expect(written.json).toEqual({ items: ['apple'] });
        expect(written.setCookies).toEqual([]);

        expect((await call(express, '/cart', cookie)).json).toEqual({ items: ['apple'] });
        expect((await call(express, '/me', cookie)).json).toEqual({ user: { username: 'ann' } });
        await call(express, '/cart?item=pear', cookie);
        expect((await call(nest, '/cart', cookie)).json).toEqual({ items: ['apple', 'pear'] });
        expect((await call(nest, '/me', cookie)).json).toEqual({ user: { username: 'ann' } });
      });

      it('a login on nest-hive is a login on express-session; logout on either ends it on both', async () => {
        const login = await call(nest, '/login', undefined, { username: 'bob', password: 'pw-bob' });
        expect(login.status).toBe(200);
        const cookie = login.sessionCookie;
        expect(cookie).toMatch(/^connect\.sid=s%3A[\w-]+\.[\w%]+$/);
        expect((await call(express, '/me', cookie)).json).toEqual({ user: { username: 'bob' } });
        await call(express, '/cart?item=book', cookie);
        expect((await call(nest, '/cart', cookie)).json).toEqual({ items: ['book'] });

        expect((await call(nest, '/logout', cookie)).status).toBe(200);
        expect((await call(express, '/me', cookie)).status).toBe(401);
        expect((await call(nest, '/me', cookie)).status).toBe(401);

        const again = (await call(express, '/login', undefined, { username: 'bob', password: 'pw-bob' }))
          .sessionCookie;
        expect((await call(nest, '/me', again)).json).toEqual({ user: { username: 'bob' } });
        expect((await call(express, '/logout', again)).status).toBe(200);
        expect((await call(nest, '/me', again)).status).toBe(401);
      });

      it('both verify with every listed secret alike, and both refuse an unknown one', async () => {
        const cookie = (await call(express, '/login', undefined, { username: 'cat', password: 'pw-cat' }))
          .sessionCookie as string;
        const byOld = resigned(cookie, OLD_SECRET);
        const byUnknown = resigned(cookie, UNKNOWN_SECRET);
        for (const app of [express, nest]) {
          expect((await call(app, '/me', byOld)).json).toEqual({ user: { username: 'cat' } });
          expect((await call(app, '/me', byUnknown)).status).toBe(401);
        }
        // A failed login writes nothing on either side.
        for (const app of [express, nest]) {
          const failed = await call(app, '/login', undefined, { username: 'cat', password: 'nope' });
          expect(failed.status).toBe(401);
          expect(failed.setCookies).toEqual([]);
        }
      });

      it('neither app logged an error', () => {
        expect(nest.process.output()).not.toMatch(/error/i);
        expect(express.process.output()).not.toMatch(/error/i);
      });
    });
  },
);
