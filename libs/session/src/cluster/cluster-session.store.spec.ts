import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadValidationError, type PrimaryRuntime, RemoteError } from '@nest-hive/cluster';
import { createStandalonePrimary, type StandalonePrimary } from '@nest-hive/cluster/extensions';
import { sessionHandle } from '../users/session-handle.js';
import { clusterSessionHost } from './cluster-session.host.js';
import { ClusterSessionStore } from './cluster-session.store.js';
import { SESSION_GET } from './cluster-session.topics.js';

const ID = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

describe('ClusterSessionStore through a primary runtime', () => {
  let primary: StandalonePrimary;
  let runtime: PrimaryRuntime;
  let store: ClusterSessionStore;
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nest-hive-cluster-store-'));
    path = join(dir, 'sessions.db');
    primary = createStandalonePrimary();
    runtime = primary.runtime;
    store = new ClusterSessionStore({
      messaging: runtime.messaging,
      timeoutMs: 1_000,
      persistence: { path },
    });
  });
  afterEach(async () => {
    await primary.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the sessions in the primary’s file: a new primary on the same file serves them', async () => {
    await store.set(ID, record({ user: 'ann' }), 60_000);
    await store.userIndex.add('ann', {
      handle: sessionHandle(ID),
      sessionId: ID,
      createdAt: 1,
      lastSeenAt: 1,
      expiresAt: Date.now() + 60_000,
      userAgent: 'jest',
    });
    await primary.close();
    primary = createStandalonePrimary();
    const next = new ClusterSessionStore({ messaging: primary.runtime.messaging, persistence: { path } });
    await next.open();
    expect((await next.get(ID))?.data).toEqual({ user: 'ann' });
    expect(await next.userIndex.list('ann')).toHaveLength(1);
    await next.ping();
  });

  it('keeps them in memory only with persistence false: a new primary starts empty', async () => {
    await primary.close();
    primary = createStandalonePrimary();
    const memory = () =>
      new ClusterSessionStore({ messaging: primary.runtime.messaging, persistence: false });
    await memory().set(ID, record({}), 60_000);
    await primary.close();
    primary = createStandalonePrimary();
    expect(await memory().get(ID)).toBeUndefined();
  });

  it('fails open() with the primary’s SessionFileError when its file cannot be used', async () => {
    writeFileSync(path, 'nest-hive sessions 9\n');
    await expect(store.open()).rejects.toThrow(/newer @nest-hive\/session/);
    // Nothing was started: a later attempt asks again (and fails again, the file unchanged).
    await expect(store.get(ID)).rejects.toThrow(/format 9/);
  });

  it('refuses persistence options that are not an object or false', () => {
    expect(
      () => new ClusterSessionStore({ messaging: runtime.messaging, persistence: 'yes' as unknown as false }),
    ).toThrow(/`persistence`/);
    expect(
      () =>
        new ClusterSessionStore({
          messaging: runtime.messaging,
          persistence: { durability: 'soon' as 'sync' },
        }),
    ).toThrow(/`durability`/);
  });

  it('has the primary start its host on first use (loading the module that declares it), then serves every operation from it', async () => {
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
    const small = new ClusterSessionStore({
      messaging: runtime.messaging,
      memoryStore: { maxSessions: 2 },
      persistence: { path },
    });
    const other = new ClusterSessionStore({
      messaging: runtime.messaging,
      memoryStore: { maxSessions: 1_000 },
      persistence: false,
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

  it('starts only hosts that @nest-hive modules declare with definePrimaryHost, and says so otherwise', async () => {
    const ask = (specifier: string, exportName: string): Promise<unknown> =>
      runtime.messaging.request('nest-hive:host', { specifier, exportName, options: {} });
    await expect(ask('node:fs', 'readFileSync')).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(ask('../../etc/passwd', 'x')).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(ask('@nest-hive/session', 'clusterSessionHost')).rejects.toBeInstanceOf(RemoteError);
    await expect(ask('@nest-hive/session/cluster', 'ClusterSessionStore')).rejects.toThrow(
      /definePrimaryHost/,
    );
  });

  it('serves from a host the primary attached itself, with the primary’s options', async () => {
    await runtime.attachHost(clusterSessionHost, { memoryStore: { maxSessions: 1 } });
    for (let i = 0; i < 3; i++) await store.set(`${ID.slice(0, 30)}${i}x`, record({ i }), 60_000);
    expect(await store.length()).toBe(1);
  });

  it('needs bootstrapCluster when no messaging is given', () => {
    expect(() => new ClusterSessionStore()).toThrow(/bootstrapCluster/);
  });
});
