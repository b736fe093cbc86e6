import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  attachPrimaryExtension,
  PayloadValidationError,
  PrimaryRuntime,
  RemoteError,
} from '@nest-hive/cluster';
import { ClusterSessionStore } from './cluster-session.store.js';
import { SESSION_GET } from './cluster-session.topics.js';

const ID = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

describe('ClusterSessionStore through a primary runtime', () => {
  let runtime: PrimaryRuntime;
  let store: ClusterSessionStore;
  beforeEach(() => {
    runtime = new PrimaryRuntime();
    store = new ClusterSessionStore({ messaging: runtime.messaging, timeoutMs: 1_000 });
  });
  afterEach(() => runtime.close());

  it('has the primary load its host on first use, then serves every operation from it', async () => {
    await expect(runtime.messaging.request(SESSION_GET, { id: ID })).rejects.toThrow(/handler|No handler/i);
    expect(await store.get(ID)).toBeUndefined();
    await store.set(ID, record({ user: 'ann', n: 1 }), 60_000);
    expect((await store.get(ID))?.data).toEqual({ user: 'ann', n: 1 });
    expect(await store.patch(ID, { set: { n: 2 }, unset: ['user'] }, 60_000)).toBe(true);
    expect((await store.get(ID))?.data).toEqual({ n: 2 });
    await store.touch(ID, 120_000);
    expect((await store.get(ID))?.expiresAt).toBeGreaterThan(Date.now() + 110_000);
    expect(await store.length()).toBe(1);
    await store.destroy(ID);
    expect(await store.get(ID)).toBeUndefined();
    expect(await store.patch(ID, { set: { n: 3 }, unset: [] }, 60_000)).toBe(false);
    await store.set(ID, record({}), 60_000);
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  it('keeps one host for every store, with the first store’s settings', async () => {
    const small = new ClusterSessionStore({ messaging: runtime.messaging, memoryStore: { maxSessions: 2 } });
    const other = new ClusterSessionStore({
      messaging: runtime.messaging,
      memoryStore: { maxSessions: 1_000 },
    });
    for (let i = 0; i < 5; i++) await small.set(`${ID.slice(0, 30)}${i}x`, record({ i }), 60_000);
    expect(await other.length()).toBe(2);
  });

  it('refuses malformed payloads before they reach the store', async () => {
    await store.length();
    await expect(runtime.messaging.request(SESSION_GET, { id: 'bad id!' })).rejects.toBeInstanceOf(
      PayloadValidationError,
    );
  });

  it('loads only @nest-hive packages, and says so when one is not an extension', async () => {
    await expect(attachPrimaryExtension(runtime.messaging, 'node:fs')).rejects.toBeInstanceOf(
      PayloadValidationError,
    );
    await expect(attachPrimaryExtension(runtime.messaging, '../../etc/passwd')).rejects.toBeInstanceOf(
      PayloadValidationError,
    );
    await expect(attachPrimaryExtension(runtime.messaging, '@nest-hive/session')).rejects.toBeInstanceOf(
      RemoteError,
    );
  });

  it('needs bootstrapCluster when no messaging is given', () => {
    expect(() => new ClusterSessionStore()).toThrow(/bootstrapCluster/);
  });
});
