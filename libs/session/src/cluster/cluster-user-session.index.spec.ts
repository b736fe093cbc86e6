import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadValidationError, type PrimaryRuntime } from '@nest-hive/cluster';
import { createStandalonePrimary, type StandalonePrimary } from '@nest-hive/cluster/extensions';
import { sessionHandle } from '../users/session-handle.js';
import type { UserSessionEntry } from '../users/user-session-index.interface.js';
import { ClusterSessionStore } from './cluster-session.store.js';
import {
  USER_INDEX_ADD,
  USER_INDEX_LIST,
  USER_INDEX_REMOVE,
  USER_INDEX_SEEN,
} from './cluster-user-index.topics.js';

const id = (n: number): string => `SessionIdForIndexTests${String(n).padStart(6, '0')}`;
const record = () => ({ data: { passport: { user: 'ann' } }, createdAt: Date.now() });

function entryOf(sessionId: string, ttlMs = 60_000): UserSessionEntry {
  const now = Date.now();
  return {
    handle: sessionHandle(sessionId),
    sessionId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + ttlMs,
    userAgent: 'jest',
  };
}

/** Polls `read` until `done` holds, or fails after `deadlineMs`. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 2_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ClusterSessionStore.userIndex through a primary runtime', () => {
  let primary: StandalonePrimary;
  let runtime: PrimaryRuntime;
  let store: ClusterSessionStore;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nest-hive-cluster-index-'));
    primary = createStandalonePrimary();
    runtime = primary.runtime;
    store = new ClusterSessionStore({
      messaging: runtime.messaging,
      timeoutMs: 1_000,
      memoryStore: { sweepIntervalMs: 20, maxSessions: 3 },
      persistence: { path: join(dir, 'sessions.db') },
    });
  });
  afterEach(async () => {
    await primary.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, lists, renews and removes entries in the primary (starting the host on first use)', async () => {
    const [a, b] = [entryOf(id(1)), entryOf(id(2))];
    await store.set(a.sessionId, record(), 60_000);
    await store.set(b.sessionId, record(), 60_000);
    await store.userIndex.add('ann', a);
    await store.userIndex.add('ann', b);
    const listed = await store.userIndex.list('ann');
    expect(listed.map((entry) => entry.handle).sort()).toEqual([a.handle, b.handle].sort());
    expect(listed.find((entry) => entry.handle === a.handle)).toEqual(a);
    expect(await store.userIndex.list('bob')).toEqual([]);

    await store.userIndex.seen('ann', a.handle, a.lastSeenAt + 5, a.expiresAt + 5);
    await store.userIndex.seen('bob', a.handle, 1, 2);
    const renewed = (await store.userIndex.list('ann')).find((entry) => entry.handle === a.handle);
    expect(renewed).toEqual({ ...a, lastSeenAt: a.lastSeenAt + 5, expiresAt: a.expiresAt + 5 });

    await store.userIndex.remove('ann', [a.handle, sessionHandle(id(99))]);
    await store.userIndex.remove('ann', []);
    expect((await store.userIndex.list('ann')).map((entry) => entry.handle)).toEqual([b.handle]);
  });

  it('serves one index to every store of the cluster (every worker sees the same entries)', async () => {
    // The first store's settings win: this one's (memory only) are never sent.
    const other = new ClusterSessionStore({ messaging: runtime.messaging, persistence: false });
    const entry = entryOf(id(3));
    await store.set(entry.sessionId, record(), 60_000);
    await store.userIndex.add('ann', entry);
    expect(await other.userIndex.list('ann')).toEqual([entry]);
  });

  it('drops an entry when its session is destroyed, evicted or cleared in the primary', async () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => entryOf(id(n)));
    for (const entry of [a, b, c]) {
      await store.set(entry.sessionId, record(), 60_000);
      await store.userIndex.add('ann', entry);
    }
    await store.destroy(a.sessionId);
    expect((await store.userIndex.list('ann')).map((entry) => entry.handle).sort()).toEqual(
      [b.handle, c.handle].sort(),
    );
    await store.set(a.sessionId, record(), 60_000);
    await store.set(d.sessionId, record(), 60_000); // maxSessions 3: evicts b, the least recently used
    expect((await store.userIndex.list('ann')).map((entry) => entry.handle)).toEqual([c.handle]);
    await store.clear();
    expect(await store.userIndex.list('ann')).toEqual([]);
  });

  it('drops an entry when its session expires, and never lists one past its own expiresAt', async () => {
    const short = entryOf(id(5));
    await store.set(short.sessionId, record(), 40);
    await store.userIndex.add('ann', short); // the entry itself would live for a minute
    expect(await store.userIndex.list('ann')).toHaveLength(1);
    const after = await until(
      () => store.userIndex.list('ann'),
      (entries) => entries.length === 0,
    );
    expect(after).toEqual([]);

    const stale = entryOf(id(6), 30);
    await store.set(stale.sessionId, record(), 60_000);
    await store.userIndex.add('ann', stale);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await store.userIndex.list('ann')).toEqual([]);
  });

  it('refuses malformed and foreign index messages before they reach the index', async () => {
    const good = entryOf(id(7));
    await store.set(good.sessionId, record(), 60_000);
    const ask = (topic: string, payload: unknown): Promise<unknown> =>
      runtime.messaging.request(topic, payload, { to: 'primary', timeoutMs: 1_000 });
    const refused: Array<[string, unknown]> = [
      [USER_INDEX_ADD.name, { user: '', entry: good }],
      [USER_INDEX_ADD.name, { user: 'x'.repeat(1025), entry: good }],
      [USER_INDEX_ADD.name, { user: 42, entry: good }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, handle: 'short' } }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, handle: sessionHandle(id(8)) } }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, sessionId: 'bad id!' } }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, expiresAt: '1' } }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, createdAt: Number.NaN } }],
      [USER_INDEX_ADD.name, { user: 'ann', entry: { ...good, userAgent: 'u'.repeat(257) } }],
      [USER_INDEX_ADD.name, { user: 'ann' }],
      [USER_INDEX_ADD.name, [good]],
      [USER_INDEX_LIST.name, { user: ['ann'] }],
      [USER_INDEX_LIST.name, null],
      [USER_INDEX_REMOVE.name, { user: 'ann', handles: good.handle }],
      [USER_INDEX_REMOVE.name, { user: 'ann', handles: [good.handle, '../../etc'] }],
      [USER_INDEX_SEEN.name, { user: 'ann', handle: good.handle, lastSeenAt: 1, expiresAt: Infinity }],
      [USER_INDEX_SEEN.name, { user: 'ann', handle: good.handle.slice(1), lastSeenAt: 1, expiresAt: 2 }],
    ];
    for (const [topic, payload] of refused) {
      await expect(ask(topic, payload)).rejects.toBeInstanceOf(PayloadValidationError);
    }
    expect(await store.userIndex.list('ann')).toEqual([]);
    await ask(USER_INDEX_ADD.name, { user: 'ann', entry: good });
    expect(await store.userIndex.list('ann')).toEqual([good]);
  });

  it('checks replies: a list reply must hold well-formed entries, the others must be null', () => {
    const good = entryOf(id(9));
    expect(USER_INDEX_LIST.validateReply?.([good])).toBe(true);
    expect(USER_INDEX_LIST.validateReply?.([{ ...good, handle: sessionHandle(id(10)) }])).toBe(false);
    expect(USER_INDEX_LIST.validateReply?.({ 0: good })).toBe(false);
    for (const topic of [USER_INDEX_ADD, USER_INDEX_REMOVE, USER_INDEX_SEEN]) {
      expect(topic.validateReply?.(null)).toBe(true);
      expect(topic.validateReply?.({})).toBe(false);
    }
  });
});
