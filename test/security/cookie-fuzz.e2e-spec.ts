import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CookieClient } from '../support/cookie-client.js';
import {
  cookieFuzzCases,
  sessionCookieValues,
  verifies,
  type SeededSession,
} from '../support/cookie-fuzz.cases.js';
import { fuzzViolations, type StoreCallDelta } from '../support/cookie-fuzz.oracle.js';
import { fuzzSeed } from '../support/fuzz-seed.js';
import { cookieValue, request } from '../support/http.js';
import { recordReliability, RELIABILITY_FILE } from '../support/reliability-record.js';
import { startSessionApp, TEST_SECRET, type SessionTestApp } from '../support/session-app.js';

/** Cases per run: 4 000 by default, `FUZZ_RUNS` for long runs. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 4_000);
/** Fresh on each run and printed; `FUZZ_SEED` replays a run. */
const SEED = fuzzSeed('cookie fuzz');

describe('8. cookie fuzzing against a running app', () => {
  let t: SessionTestApp;
  let client: CookieClient;
  const seeds: SeededSession[] = [];

  beforeAll(async () => {
    t = await startSessionApp();
    for (let i = 0; i < 4; i++) {
      const marker = `owner-${i}-${randomBytes(6).toString('hex')}`;
      const reply = await request(t.url, `/probe/write?k=user&v=${marker}`);
      const id = (reply.json as { id: string }).id;
      seeds.push({ id, signed: decodeURIComponent(cookieValue(reply.sessionCookie)), marker });
    }
    t.store.reset();
    client = new CookieClient(t.url);
  });
  afterAll(async () => {
    client.close();
    await t.close();
  });

  it(
    `${RUNS} random, oversized, duplicated, encoded and forged Cookie headers: never a 5xx, never a session without a valid signature, never a store read for an invalid cookie`,
    async () => {
      expect(RUNS).toBeGreaterThanOrEqual(1);
      const started = Date.now();
      const tally = { cases: 0, reachedApp: 0, rejectedByParser: 0, validLoaded: 0, invalidCookiesRead: 0 };
      const categories: Record<string, { cases: number; reachedApp: number }> = {};

      await fc.assert(
        fc.asyncProperty(cookieFuzzCases(seeds, TEST_SECRET), async (fuzzCase) => {
          const before = { ...t.store.calls };
          const path = fuzzCase.route === 'read' ? '/probe/read' : '/probe/none';
          const reply = await client.send(path, fuzzCase.lines);
          const calls = Object.fromEntries(
            Object.entries(t.store.calls).map(([op, n]) => [op, n - before[op as keyof StoreCallDelta]]),
          ) as StoreCallDelta;
          const problems = fuzzViolations(fuzzCase, reply, calls, seeds, TEST_SECRET);
          if (problems.length > 0) {
            throw new Error(
              `${fuzzCase.category}: ${problems.join('; ')} (status ${reply.status}; replay with FUZZ_SEED=${SEED})`,
            );
          }
          const category = (categories[fuzzCase.category] ??= { cases: 0, reachedApp: 0 });
          tally.cases++;
          category.cases++;
          if (reply.status === 200) {
            tally.reachedApp++;
            category.reachedApp++;
            if (fuzzCase.expect.kind === 'load' && fuzzCase.route === 'read') tally.validLoaded++;
            // A session cookie was sent, none of it verifies, and the route loaded the session: the oracle
            // has checked that the store was not read.
            const values = sessionCookieValues(fuzzCase.lines.join('; '));
            if (
              fuzzCase.route === 'read' &&
              values.length > 0 &&
              !values.some((v) => verifies(v, TEST_SECRET))
            ) {
              tally.invalidCookiesRead++;
            }
          } else tally.rejectedByParser++;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );

      // The server still answers, every seeded session is intact, and nothing was written.
      for (const seed of seeds) {
        const reply = await request(t.url, '/probe/read', {
          cookie: `sid=${encodeURIComponent(seed.signed)}`,
        });
        expect(reply.json).toMatchObject({ id: seed.id, isNew: false, data: { user: seed.marker } });
      }
      expect(await t.store.length()).toBe(seeds.length);
      expect(t.store.calls.set + t.store.calls.patch + t.store.calls.destroy).toBe(0);

      expect(tally.cases).toBe(RUNS);
      // The generators mostly produce headers Node accepts, so the session layer is what gets fuzzed.
      expect(tally.reachedApp / tally.cases).toBeGreaterThan(0.85);
      const runMs = Date.now() - started;
      console.info(
        `cookie fuzz (seed ${SEED}): ${tally.cases} cases in ${runMs} ms, ${tally.reachedApp} reached the app, ` +
          `${tally.rejectedByParser} refused by Node's parser, ${tally.validLoaded} valid cookies among junk loaded, ` +
          `${tally.invalidCookiesRead} invalid session cookies with no store read`,
      );
      await recordReliability({
        'fuzz.cases': tally.cases,
        'fuzz.reachedApp': tally.reachedApp,
        'fuzz.rejectedByParser': tally.rejectedByParser,
        'fuzz.validCookiesLoaded': tally.validLoaded,
        'fuzz.invalidCookieRequests': tally.invalidCookiesRead,
        'fuzz.invalidCookieStoreReads': 0,
        'fuzz.sessionsWithoutValidSignature': 0,
        'fuzz.serverErrors': 0,
        'fuzz.runMs': runMs,
        'fuzz.seed': SEED,
      });
      await writeFile(
        join(RELIABILITY_FILE, '..', 'cookie-fuzz.json'),
        `${JSON.stringify({ seed: SEED, runMs, ...tally, categories }, null, 2)}\n`,
      );
    },
    30_000 + RUNS * 20,
  );
});
