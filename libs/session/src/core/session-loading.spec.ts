import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { resolveSessionConfig } from '../session-config.js';
import type { SessionModuleOptions } from '../session-options.interface.js';
import type { SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import { RequestSession } from './request-session.js';
import { adoptIfAlive, loadSession, readCookieId, reloadSession, renewSession } from './session-loading.js';
import { SessionRuntime } from './session-runtime.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const ID = 'a'.repeat(32);
const quiet: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A runtime over a memory store, and a maker of sessions for requests carrying `cookie`. */
function setup(options: Partial<SessionModuleOptions> = {}) {
  const store = new MemorySessionStore({ sweepIntervalMs: 0 });
  const runtime = new SessionRuntime(resolveSessionConfig({ secret: SECRET, ...options }), store, quiet);
  const signedCookie = runtime.codec.write(ID, { secure: false, expires: undefined }).split(';')[0];
  const sessionFor = (cookie?: string): RequestSession => {
    const req = new IncomingMessage(new Socket());
    if (cookie !== undefined) req.headers.cookie = cookie;
    return new RequestSession(runtime, req, new ServerResponse(req));
  };
  return { store, runtime, signedCookie, sessionFor };
}

/** A store that answers through promises only, with copies it may hand over at once (a read cache). */
class PromiseStoreWithCopies implements SessionStore {
  readonly records = new Map<string, StoredSessionRecord>();
  readonly copies = new Map<string, StoredSessionRecord>();
  getIfCached(id: string): StoredSessionRecord | undefined {
    const copy = this.copies.get(id);
    return copy && structuredClone(copy);
  }
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    return structuredClone(this.records.get(id));
  }
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.records.set(id, { ...structuredClone(record), expiresAt: Date.now() + ttlMs });
  }
  async destroy(id: string): Promise<void> {
    this.records.delete(id);
  }
  async touch(): Promise<void> {}
}

describe('session loading', () => {
  it('hands over a copy a store may serve at once, and asks get() when it holds none', async () => {
    const promiseStore = new PromiseStoreWithCopies();
    const runtime = new SessionRuntime(resolveSessionConfig({ secret: SECRET }), promiseStore, quiet);
    const reads: string[] = [];
    runtime.observeStoreCalls((operation, _seconds, failed) => reads.push(`${operation}:${String(failed)}`));
    const cookie = runtime.codec.write(ID, { secure: false, expires: undefined }).split(';')[0];
    const sessionFor = (): RequestSession => {
      const req = new IncomingMessage(new Socket());
      req.headers.cookie = cookie;
      return new RequestSession(runtime, req, new ServerResponse(req));
    };
    await promiseStore.set(ID, { data: { user: 'ada' }, createdAt: Date.now() }, 60_000);
    const missed = sessionFor();
    const pending = loadSession(missed);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(missed.data.user).toBe('ada');
    promiseStore.copies.set(ID, {
      data: { user: 'bob' },
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    const hit = sessionFor();
    expect(loadSession(hit)).not.toBeInstanceOf(Promise);
    expect([hit.id, hit.data.user]).toEqual([ID, 'bob']);
    expect(reads).toEqual(['get:false', 'get:false']);
  });

  it('reads a valid cookie’s id, and notes that the client sent one even when it is not valid', () => {
    const { signedCookie, sessionFor } = setup();
    const valid = sessionFor(signedCookie);
    expect([readCookieId(valid), valid.clientSentCookie]).toEqual([ID, true]);
    const forged = sessionFor(`${signedCookie}x`);
    expect([readCookieId(forged), forged.clientSentCookie]).toEqual([undefined, true]);
    const none = sessionFor();
    expect([readCookieId(none), none.clientSentCookie]).toEqual([undefined, false]);
  });

  it('loads the stored session at once from a memory store', async () => {
    const { store, signedCookie, sessionFor } = setup();
    await store.set(ID, { data: { user: 'ada' }, createdAt: Date.now() }, 60_000);
    const session = sessionFor(signedCookie);
    const loaded = loadSession(session);
    expect(loaded).not.toBeInstanceOf(Promise);
    expect([session.id, session.isNew, session.data.user]).toEqual([ID, false, 'ada']);
  });

  it('starts a new session when the stored one is gone', () => {
    const { signedCookie, sessionFor } = setup();
    const session = sessionFor(signedCookie);
    expect(loadSession(session)).not.toBeInstanceOf(Promise);
    expect(session.isNew).toBe(true);
    expect(session.id).not.toBe(ID);
  });

  it('destroys a record past the absolute timeout instead of adopting it', async () => {
    const { store, sessionFor } = setup({ absoluteTimeout: 60_000 });
    await store.set(ID, { data: {}, createdAt: Date.now() - 61_000 }, 60_000);
    expect(
      adoptIfAlive(sessionFor(), ID, { data: {}, createdAt: Date.now() - 61_000, expiresAt: Date.now() + 1 }),
    ).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.getNow(ID)).toBeUndefined();
  });

  it('renews: the old record is deleted, a new id is unsaved, and the client’s cookie is to be expired', async () => {
    const { store, signedCookie, sessionFor } = setup();
    await store.set(ID, { data: { user: 'ada' }, createdAt: Date.now() }, 60_000);
    const session = sessionFor(signedCookie);
    expect(loadSession(session)).not.toBeInstanceOf(Promise);
    await renewSession(session, true);
    expect(store.getNow(ID)).toBeUndefined();
    expect([session.isNew, session.id === ID, session.data.user, session.cookieOwed]).toEqual([
      true,
      false,
      'ada',
      'clear',
    ]);
  });

  it('reloads the stored data, dropping unsaved changes', async () => {
    const { store, signedCookie, sessionFor } = setup();
    await store.set(ID, { data: { n: 1 }, createdAt: Date.now() }, 60_000);
    const session = sessionFor(signedCookie);
    expect(loadSession(session)).not.toBeInstanceOf(Promise);
    session.data.n = 2;
    await reloadSession(session);
    expect(session.data.n).toBe(1);
    await store.destroy(ID);
    await reloadSession(session);
    expect([session.isNew, session.cookieOwed, Object.keys(session.data)]).toEqual([true, 'clear', []]);
  });
});
