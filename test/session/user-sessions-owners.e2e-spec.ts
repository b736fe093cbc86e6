import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { MemorySessionStore, type SessionModuleOptions } from '@nest-hive/session';
import { request } from '../support/http.js';
import { ProbeController } from '../support/probe.controller.js';
import { startSessionApp } from '../support/session-app.js';

/** The user of a probe session is its `user` key (the probe's `/probe/write` sets it). */
const users: SessionModuleOptions['users'] = {
  userOf: (data) => (typeof data.user === 'string' ? data.user : undefined),
};

const dataOf = (json: unknown): Record<string, unknown> => (json as { data: Record<string, unknown> }).data;

describe('index renewals on writes', () => {
  async function countRenewals(touchAfter: number, writes: number): Promise<number> {
    const store = new MemorySessionStore();
    const index = store.userIndex;
    const seen = index.seen.bind(index);
    let renewals = 0;
    index.seen = (...args) => {
      renewals++;
      return seen(...args);
    };
    const t = await startSessionApp({
      session: { store, users, touchAfter },
      controllers: [ProbeController],
    });
    try {
      const cookie = (await request(t.url, '/probe/write?k=user&v=jay')).sessionCookie as string;
      for (let n = 0; n < writes; n++) await request(t.url, `/probe/write?k=n&v=${n}`, { cookie });
      await sleep(50); // renewals go in the background
      return renewals;
    } finally {
      await t.close();
    }
  }

  it('are sent at most once per touchAfter per session from one process, and on every write with touchAfter 0', async () => {
    expect(await countRenewals(60_000, 20)).toBe(0);
    expect(await countRenewals(0, 20)).toBe(20);
  });
});

describe('a userOf that gives something unusable', () => {
  it.each([
    ['an object', (): unknown => ({ id: 1 })],
    [
      'a throw',
      (): unknown => {
        throw new Error('no user here');
      },
    ],
  ])('(%s): the session works, is not indexed, and the warning is logged once', async (_name, userOf) => {
    const store = new MemorySessionStore();
    const t = await startSessionApp({
      session: { store, users: { userOf: userOf as () => string } },
      controllers: [ProbeController],
    });
    try {
      const cookie = (await request(t.url, '/probe/write?k=user&v=kim')).sessionCookie as string;
      expect((await request(t.url, '/probe/write?k=x&v=1', { cookie })).status).toBe(200);
      expect(dataOf((await request(t.url, '/probe/read', { cookie })).json)).toEqual({ user: 'kim', x: '1' });
      expect(store.userIndex.size).toBe(0);
      const warnings = t.logger.lines.filter((line) => line.message.includes('users.userOf'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].level).toBe('warn');
    } finally {
      await t.close();
    }
  });
});

describe('a login whose index entry cannot be written', () => {
  it('fails with 503 and leaves no session behind (it would be out of reach of revocation)', async () => {
    const store = new MemorySessionStore();
    store.userIndex.add = () => Promise.reject(new Error('index down'));
    const t = await startSessionApp({ session: { store, users }, controllers: [ProbeController] });
    try {
      const login = await request(t.url, '/probe/write?k=user&v=lee');
      expect(login.status).toBe(503);
      expect(await store.length()).toBe(0);
      expect((await request(t.url, '/probe/write?k=x&v=anonymous')).status).toBe(200);
      expect(await store.length()).toBe(1);
    } finally {
      await t.close();
    }
  });
});
