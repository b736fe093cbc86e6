import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import { startDemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { cookieValue } from '../support/http.js';
import { deleteKeys, REDIS_URL, redisReachable } from '../support/redis.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { recordReliability } from '../support/reliability-record.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

/** Whether a `sid=` cookie the demo set is signed with `secret`. */
function signedWith(cookie: string | undefined, secret: string): boolean {
  const value = decodeURIComponent(cookieValue(cookie));
  return sign(value.slice(0, value.lastIndexOf('.')), secret) === value;
}

describeRedis.each(HTTP_ADAPTERS)('10. secret rotation on the demo, sessions in Redis (%s)', (adapter) => {
  const namespace = `test-rotation-${randomBytes(4).toString('hex')}`;
  const env = { SESSION_STORE: 'redis', REDIS_URL, REDIS_NAMESPACE: namespace, HTTP_ADAPTER: adapter };
  const oldSecret = randomBytes(36).toString('base64url');
  const newSecret = randomBytes(36).toString('base64url');

  afterAll(async () => {
    await deleteKeys(`${namespace}:*`);
  });

  it('a cookie signed with the old secret stays valid while the old secret is listed, and dies once it is removed', async () => {
    const whoami = async (url: string, cookie: string | undefined) =>
      (await freshRequest(`${url}/api/whoami`, { cookie })).json;

    const before = await startDemoCluster(1, { ...env, SESSION_SECRET: oldSecret });
    let oldCookie: string | undefined;
    try {
      oldCookie = (await freshRequest(`${before.url}/api/login`, { body: { user: 'ann' } })).sessionCookie;
      expect(signedWith(oldCookie, oldSecret)).toBe(true);
    } finally {
      await before.stop();
    }

    const rotating = await startDemoCluster(1, { ...env, SESSION_SECRET: `${newSecret},${oldSecret}` });
    let newCookie: string | undefined;
    try {
      expect(await whoami(rotating.url, oldCookie)).toEqual({ user: 'ann' });
      newCookie = (await freshRequest(`${rotating.url}/api/login`, { body: { user: 'bob' } })).sessionCookie;
      expect(signedWith(newCookie, newSecret)).toBe(true);
    } finally {
      await rotating.stop();
    }

    const after = await startDemoCluster(1, { ...env, SESSION_SECRET: newSecret });
    try {
      expect(await whoami(after.url, oldCookie)).toEqual({ user: null });
      expect(await whoami(after.url, newCookie)).toEqual({ user: 'bob' });
    } finally {
      await after.stop();
    }
    await recordReliability(
      figuresOn(adapter, {
        'secrets.rotationOldCookieValidWhileListed': true,
        'secrets.rotationOldCookieAfterRemoval': 'refused',
      }),
    );
  }, 60_000);
});
