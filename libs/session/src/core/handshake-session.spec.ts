import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { HandshakeSessionError } from '../session.errors.js';
import { resolveSessionConfig } from '../session-config.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import { HANDSHAKE_CHANNEL, loadHandshakeSession } from './handshake-session.js';
import { SessionRuntime } from './session-runtime.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const ID = 'a'.repeat(32);
const quiet: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

function setup() {
  const store = new MemorySessionStore({ sweepIntervalMs: 0 });
  const runtime = new SessionRuntime(resolveSessionConfig({ secret: SECRET }), store, quiet);
  const handshake = (cookie?: string): IncomingMessage => {
    const req = new IncomingMessage(new Socket());
    if (cookie !== undefined) req.headers.cookie = cookie;
    return req;
  };
  const cookie = runtime.codec.write(ID, { secure: false, expires: undefined }).split(';')[0];
  return { store, runtime, handshake, cookie };
}

describe('HANDSHAKE_CHANNEL', () => {
  it('creates no session and refuses regenerate()', () => {
    expect(HANDSHAKE_CHANNEL.createsSessions).toBe(false);
    expect(() => HANDSHAKE_CHANNEL.checkRegenerate()).toThrow(HandshakeSessionError);
  });
});

describe('loadHandshakeSession', () => {
  it('loads only an existing, live session, and never creates one', async () => {
    const { store, runtime, handshake, cookie } = setup();
    expect(await loadHandshakeSession(runtime, handshake())).toBeUndefined();
    expect(await loadHandshakeSession(runtime, handshake(cookie))).toBeUndefined();
    await store.set(ID, { data: { user: 'ada' }, createdAt: Date.now() }, 60_000);
    const session = await loadHandshakeSession(runtime, handshake(cookie));
    expect([session?.id, session?.user]).toEqual([ID, 'ada']);
  });

  it('writes changes with save(), refuses regenerate(), and leaves a destroyed session unsaved', async () => {
    const { store, runtime, handshake, cookie } = setup();
    await store.set(ID, { data: { user: 'ada' }, createdAt: Date.now() }, 60_000);
    const session = await loadHandshakeSession(runtime, handshake(cookie));
    if (!session) throw new Error('the session should load');
    Object.assign(session, { room: 'lobby' });
    await session.save();
    expect(store.getNow(ID)?.data).toEqual({ user: 'ada', room: 'lobby' });
    await expect(session.regenerate()).rejects.toBeInstanceOf(HandshakeSessionError);
    await session.destroy();
    Object.assign(session, { after: true });
    await session.save();
    expect([store.getNow(ID), await store.length()]).toEqual([undefined, 0]);
  });
});
