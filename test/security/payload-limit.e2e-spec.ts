import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { request } from '../support/http.js';
import { fuzzSeed } from '../support/fuzz-seed.js';
import { recordReliability } from '../support/reliability-record.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

const LIMIT = 4_096;
/** Below this many bytes of value, the session is certainly under the limit (key names and JSON add a few bytes). */
const SURELY_UNDER = LIMIT - 64;

interface ReadView {
  id: string;
  isNew: boolean;
  data: { user?: string; blob?: string; [key: string]: unknown };
}

describe('12. denial of service by payload: maxSessionBytes', () => {
  let t: SessionTestApp;
  let cookie: string;
  let id: string;
  const figures = { refused: 0, largestRefused: 0, accepted: 0 };

  beforeAll(async () => {
    t = await startSessionApp({ session: { maxSessionBytes: LIMIT } });
  });
  afterAll(async () => {
    await t.close();
    await recordReliability({
      'payload.maxSessionBytes': LIMIT,
      'payload.refused': figures.refused,
      'payload.largestRefusedBytes': figures.largestRefused,
      'payload.oversizedStored': 0,
      'payload.status': 413,
    });
  });
  beforeEach(async () => {
    await t.store.clear();
    const created = await request(t.url, '/probe/big?bytes=100');
    cookie = created.sessionCookie as string;
    const named = await request(t.url, '/probe/write?k=user&v=ann', { cookie });
    id = (named.json as ReadView).id;
    t.store.reset();
  });

  const read = async (): Promise<ReadView> =>
    (await request(t.url, '/probe/read', { cookie })).json as ReadView;
  const stored = async () => (await t.store.inner.get(id))?.data;

  /** Writes `bytes` of data into the session and checks a refusal in full. */
  async function writeBlob(bytes: number, withCookie = true): Promise<number> {
    const before = { ...t.store.calls };
    const reply = await request(t.url, `/probe/big?bytes=${bytes}`, withCookie ? { cookie } : {});
    if (reply.status === 413) {
      figures.refused++;
      figures.largestRefused = Math.max(figures.largestRefused, bytes);
      const body = reply.json as { statusCode: number; message: string };
      expect(body.statusCode).toBe(413);
      expect(body.message).toMatch(
        new RegExp(`over the ${LIMIT}-byte limit \\(maxSessionBytes\\); it was not saved`),
      );
      expect(reply.setCookies).toEqual([]);
      expect(t.store.calls.set - before.set + t.store.calls.patch - before.patch).toBe(0);
    } else figures.accepted++;
    return reply.status;
  }

  it('an oversized write to an existing session is refused with 413; the stored value is intact and a normal write then works', async () => {
    expect(await writeBlob(LIMIT * 3)).toBe(413);
    expect(await stored()).toEqual({ blob: 'x'.repeat(100), user: 'ann' });
    expect((await read()).data).toEqual({ blob: 'x'.repeat(100), user: 'ann' });

    const normal = await request(t.url, '/probe/write?k=user&v=bob', { cookie });
    expect(normal.status).toBe(200);
    expect(await stored()).toEqual({ blob: 'x'.repeat(100), user: 'bob' });
    expect(await writeBlob(1_000)).toBe(200);
    expect((await stored())?.blob).toHaveLength(1_000);
  });

  it('an oversized first write creates no session and sets no cookie', async () => {
    const entries = await t.store.length();
    expect(await writeBlob(LIMIT + 1, false)).toBe(413);
    expect(await t.store.length()).toBe(entries);
    expect(t.store.calls.set).toBe(0);
  });

  it('a 5 MB value is refused at once and the server keeps answering', async () => {
    const started = Date.now();
    expect(await writeBlob(5_000_000)).toBe(413);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await read()).data).toEqual({ blob: 'x'.repeat(100), user: 'ann' });
    expect((await request(t.url, '/probe/none')).status).toBe(200);
  });

  it('a session grown key by key is refused at the write that crosses the limit; the keys before it stay', async () => {
    const value = 'v'.repeat(500);
    let refusedAt = -1;
    for (let i = 0; i < 20 && refusedAt === -1; i++) {
      const reply = await request(t.url, `/probe/write?k=key${i}&v=${value}`, { cookie });
      if (reply.status === 413) refusedAt = i;
      else expect(reply.status).toBe(200);
    }
    expect(refusedAt).toBeGreaterThan(5);
    const data = (await stored()) ?? {};
    expect(Object.keys(data)).toHaveLength(2 + refusedAt);
    expect(data[`key${refusedAt - 1}`]).toBe(value);
    expect(data[`key${refusedAt}`]).toBeUndefined();
    expect(JSON.stringify(data).length).toBeLessThanOrEqual(LIMIT);
  });

  it('for any size, a value surely under the limit is stored and one over it is refused, leaving the last stored value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: LIMIT * 3 }), async (bytes) => {
        const before = await stored();
        const status = await writeBlob(bytes);
        const after = await stored();
        if (bytes <= SURELY_UNDER) expect(status).toBe(200);
        if (bytes > LIMIT) expect(status).toBe(413);
        expect([200, 413]).toContain(status);
        if (status === 200) expect(after?.blob).toHaveLength(bytes);
        else expect(after).toEqual(before);
      }),
      { numRuns: 60, seed: fuzzSeed('payload-limit sizes') },
    );
  });
});
