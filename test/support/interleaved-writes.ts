import { expect } from '@jest/globals';
import { request } from './http.js';
import type { LatchServer } from './latch-server.js';

/** How a test reaches the app whose store is under test: one request, with the session cookie. */
export type SessionGet = (path: string, cookie: string) => Promise<{ status: number; json: unknown }>;

/** The plain HTTP {@link SessionGet} for an app at `url`. */
export function sessionGet(url: string): SessionGet {
  return async (path, cookie) => {
    const reply = await request(url, path, { cookie });
    return { status: reply.status, json: reply.json };
  };
}

function dataOf(json: unknown): Record<string, unknown> {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'object' || data === null)
    throw new Error(`no session data in ${JSON.stringify(json)}`);
  return data as Record<string, unknown>;
}

/**
 * Two requests on one session, truly interleaved: A loads the session and
 * stops at a latch; B then loads, changes `x` and saves; only then does A
 * change `user` and save. Both keys existed when both requests loaded, so a
 * store or a patch that writes A's stale copy of `x` back loses B's change.
 * The cookie's session must hold `user: 'ann'` and `x: 'one'` to start with.
 */
export async function interleavedDifferentKeys(
  get: SessionGet,
  cookie: string,
  latches: LatchServer,
): Promise<void> {
  const before = dataOf((await get('/probe/read', cookie)).json);
  expect(before).toMatchObject({ user: 'ann', x: 'one' });
  const latch = `different-keys-${Math.random()}`;
  const slow = get(
    `/probe/latched-write?k=user&v=bob&latch=${encodeURIComponent(latches.url(latch))}`,
    cookie,
  );
  await latches.arrived(latch);
  const fast = await get('/probe/write?k=x&v=two', cookie);
  expect(fast.status).toBe(200);
  expect(dataOf(fast.json)).toMatchObject({ user: 'ann', x: 'two' });
  latches.release(latch);
  const late = await slow;
  expect(late.status).toBe(200);
  const after = dataOf((await get('/probe/read', cookie)).json);
  expect(after).toMatchObject({ user: 'bob', x: 'two' });
}

/**
 * Two requests write `user` of one session, truly interleaved: A loads and
 * stops at a latch, B loads, writes `user: 'early'` and saves, then A writes
 * `user: 'late'` and saves. The write saved last wins, and B's other key stays.
 */
export async function interleavedSameKey(
  get: SessionGet,
  cookie: string,
  latches: LatchServer,
): Promise<void> {
  const latch = `same-key-${Math.random()}`;
  const slow = get(
    `/probe/latched-write?k=user&v=late&latch=${encodeURIComponent(latches.url(latch))}`,
    cookie,
  );
  await latches.arrived(latch);
  expect((await get('/probe/write?k=user&v=early', cookie)).status).toBe(200);
  expect(dataOf((await get('/probe/read', cookie)).json)).toMatchObject({ user: 'early' });
  latches.release(latch);
  expect((await slow).status).toBe(200);
  expect(dataOf((await get('/probe/read', cookie)).json)).toMatchObject({ user: 'late', x: 'one' });
}
