import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { resolveSessionConfig } from '../session-config.js';
import type { SessionModuleOptions } from '../session-options.interface.js';
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

describe('session loading', () => {
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
