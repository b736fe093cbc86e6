import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MemorySessionStore } from '@nest-hive/session';
import { flood } from '../support/flood.js';
import { heapUsedAfterGc } from '../support/heap.js';
import { request } from '../support/http.js';
import { PeakLengthStore } from '../support/peak-length-store.js';
import { recordReliability } from '../support/reliability-record.js';
import { countResponses } from '../support/response-counter.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';

/** Cookie-less requests of the read flood: 100 000 by default. */
const READ_FLOOD = Number(process.env.FLOOD_REQUESTS ?? 100_000);
const MAX_SESSIONS = 1_000;
/** Sessions the write flood creates, ten times the bound. */
const WRITE_FLOOD = 10 * MAX_SESSIONS;
/** Bytes of data in each flooded session. */
const SESSION_BYTES = 4_096;
/** Sessions written one by one before and after the write flood. */
const WITNESSES = 20;

describe.each(HTTP_ADAPTERS)('11. store flooding (%s)', (adapter) => {
  let t: SessionTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it(`${READ_FLOOD} cookie-less requests to a route that reads the session but never writes leave zero store entries`, async () => {
    t = await startSessionApp({ adapter });
    const responses = countResponses(t.app.getHttpServer() as Server);
    const result = await flood(`${t.url}/probe/read`, { amount: READ_FLOOD });
    responses.detach();

    expect(result).toMatchObject({ ok: READ_FLOOD, non2xx: 0, errors: 0 });
    expect(responses.finished).toBe(READ_FLOOD);
    expect(responses.withSetCookie).toBe(0);
    expect(await t.store.length()).toBe(0);
    // Not one store call of any kind: no cookie means nothing to read, and nothing was written.
    expect(t.store.calls).toEqual({ get: 0, set: 0, patch: 0, destroy: 0, touch: 0 });

    // The app still creates sessions when a handler writes.
    const write = await request(t.url, '/probe/visit');
    expect(write.sessionCookie).toBeDefined();
    expect(await t.store.length()).toBe(1);

    console.info(
      `read flood: ${result.ok} requests in ${result.durationMs} ms (${result.requestsPerSecond} req/s), 0 store entries`,
    );
    await recordReliability({
      'flood.requests': result.ok,
      'flood.storeEntries': 0,
      'flood.storeCalls': 0,
      'flood.setCookies': 0,
      'flood.requestsPerSecond': result.requestsPerSecond,
    });
  }, 150_000);

  it(`${WRITE_FLOOD} sessions that write stay within maxSessions (${MAX_SESSIONS}): the oldest are evicted first and memory stays bounded`, async () => {
    const memory = new MemorySessionStore({ maxSessions: MAX_SESSIONS, sweepIntervalMs: 0 });
    const store = new PeakLengthStore(memory);
    t = await startSessionApp({ adapter, store });
    const write = async (): Promise<string> => {
      const reply = await request(t!.url, `/probe/big?bytes=${SESSION_BYTES}`);
      expect(reply.status).toBe(200);
      return reply.sessionCookie as string;
    };

    const earliest: string[] = [];
    for (let i = 0; i < WITNESSES; i++) earliest.push(await write());
    const heapBefore = await heapUsedAfterGc();

    const result = await flood(`${t.url}/probe/big?bytes=${SESSION_BYTES}`, { amount: WRITE_FLOOD });
    expect(result).toMatchObject({ ok: WRITE_FLOOD, non2xx: 0, errors: 0 });

    const latest: string[] = [];
    for (let i = 0; i < WITNESSES; i++) latest.push(await write());
    const heapDelta = (await heapUsedAfterGc()) - heapBefore;

    const written = WRITE_FLOOD + 2 * WITNESSES;
    expect(store.calls.set).toBe(written);
    expect(store.peakLength).toBe(MAX_SESSIONS);
    expect(await store.length()).toBe(MAX_SESSIONS);
    expect(memory.evictedCount).toBe(written - MAX_SESSIONS);

    // The oldest sessions went first: the earliest cookies load nothing, the latest load their data.
    for (const cookie of earliest) {
      const reply = await request(t.url, '/probe/read', { cookie });
      expect(reply.json).toMatchObject({ isNew: true, data: {} });
    }
    for (const cookie of latest) {
      const reply = await request(t.url, '/probe/read', { cookie });
      const body = reply.json as { isNew: boolean; data: { blob?: string } };
      expect(body.isNew).toBe(false);
      expect(body.data.blob).toHaveLength(SESSION_BYTES);
    }

    // Unbounded, the flood would have kept about WRITE_FLOOD x SESSION_BYTES (40 MB); bounded, about a tenth.
    const unboundedBytes = WRITE_FLOOD * SESSION_BYTES;
    expect(heapDelta).toBeLessThan(unboundedBytes * 0.4);
    const heapDeltaMb = Math.round((heapDelta / 2 ** 20) * 10) / 10;
    console.info(
      `write flood: ${written} sessions of ${SESSION_BYTES} B into maxSessions ${MAX_SESSIONS}: peak ${store.peakLength}, ` +
        `evicted ${memory.evictedCount}, heap +${heapDeltaMb} MB, ${result.requestsPerSecond} req/s`,
    );
    await recordReliability({
      'floodWrites.sessionsWritten': written,
      'floodWrites.maxSessions': MAX_SESSIONS,
      'floodWrites.maxLength': store.peakLength,
      'floodWrites.evicted': memory.evictedCount,
      'floodWrites.earliestStillLoading': 0,
      'floodWrites.latestLoading': WITNESSES,
      'floodWrites.heapDeltaMB': heapDeltaMb,
      'floodWrites.unboundedMB': Math.round(unboundedBytes / 2 ** 20),
      'floodWrites.requestsPerSecond': result.requestsPerSecond,
    });
  }, 90_000);
});
