import { afterEach, describe, expect, it } from '@jest/globals';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import type session from 'express-session';
import { connectRedisStore, pgSimpleStore, type RealExpressStore } from '../support/express-stores.js';
import { postgresReachable } from '../support/postgres.js';
import { redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();
const postgresUp = await postgresReachable();

type SetCallback = (error?: unknown) => void;

/**
 * The real store, whose `set` reaches the backend only when the test lets it:
 * the window between a save's read and its write, held open.
 */
function holdNextSet(store: session.Store): Promise<() => void> {
  let hold!: (release: () => void) => void;
  const held = new Promise<() => void>((resolve) => (hold = resolve));
  const set = store.set.bind(store);
  store.set = (sid: string, data: session.SessionData, callback?: SetCallback) => {
    store.set = set;
    hold(() => set(sid, data, callback));
  };
  return held;
}

const STORES: Array<[string, boolean, () => Promise<RealExpressStore>]> = [
  ['connect-redis 9 on the real Redis', redisUp, () => connectRedisStore()],
  ['connect-pg-simple 10 on the real PostgreSQL', postgresUp, () => pgSimpleStore()],
];

describe.each(STORES)(
  'a logout racing a save through fromExpressSessionStore(%s)',
  (_name, available, make) => {
    const itIf = available ? it : it.skip;
    let backend: RealExpressStore | undefined;
    afterEach(async () => {
      await backend?.dispose();
      backend = undefined;
    });

    itIf('a save whose write lands after the destroy is undone: the session stays ended', async () => {
      backend = await make();
      const id = `race-${Math.random().toString(36).slice(2)}-0123456789`;
      const adapter = fromExpressSessionStore(backend.store);
      await adapter.set(id, { data: { user: 'ann' }, createdAt: Date.now() }, 60_000);

      const held = holdNextSet(backend.store);
      const saving = adapter.patch!(id, { set: { cart: 'late' }, unset: [] }, 60_000);
      const release = await held; // the save read the session, and its write waits
      await adapter.destroy(id);
      expect(await backend.raw(id)).toBeUndefined();
      release();
      expect(await saving).toBe(false);
      expect(await backend.raw(id)).toBeUndefined();
      expect(await adapter.get(id)).toBeUndefined();
    });
  },
);
