import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { resolveSessionConfig } from '../session-config.js';
import type { SessionModuleOptions } from '../session-options.interface.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import {
  cookieOwedAfterEnd,
  cookieOwedAfterReloadMiss,
  writeOwedCookie,
} from './session-cookie-obligation.js';
import { SessionRuntime } from './session-runtime.js';
import { SessionState } from './session-state.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const quiet: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

function setup(options: Partial<SessionModuleOptions> = {}) {
  const runtime = new SessionRuntime(
    resolveSessionConfig({ secret: SECRET, ...options }),
    new MemorySessionStore({ sweepIntervalMs: 0 }),
    quiet,
  );
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  const state = new SessionState();
  state.id = 'a'.repeat(32);
  return {
    runtime,
    req,
    res,
    state,
    cookies: () => (res.getHeader('set-cookie') as string[] | undefined) ?? [],
  };
}

describe('writeOwedCookie', () => {
  it('writes nothing when nothing is owed and the session does not roll', () => {
    const { runtime, req, res, state, cookies } = setup();
    writeOwedCookie(state, runtime, req, res);
    expect(cookies()).toEqual([]);
  });

  it('writes the cookie with the current id once, when it is owed', () => {
    const { runtime, req, res, state, cookies } = setup();
    state.cookieOwed = 'set';
    writeOwedCookie(state, runtime, req, res);
    expect(cookies()).toHaveLength(1);
    expect(cookies()[0]).toContain(`${'a'.repeat(32)}.`);
    expect(state.cookieOwed).toBe('none');
  });

  it('writes an expired cookie when the session ended here', () => {
    const { runtime, req, res, state, cookies } = setup();
    state.cookieOwed = 'clear';
    writeOwedCookie(state, runtime, req, res);
    expect(cookies()[0]).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('writes the cookie of a saved rolling session every time', () => {
    const { runtime, req, res, state, cookies } = setup({ rolling: true });
    state.isNew = false;
    writeOwedCookie(state, runtime, req, res);
    expect(cookies()).toHaveLength(1);
  });

  it('keeps a secure cookie owed on a plain-HTTP request', () => {
    const { runtime, req, res, state, cookies } = setup({ cookie: { secure: true } });
    state.cookieOwed = 'set';
    writeOwedCookie(state, runtime, req, res);
    expect([cookies(), state.cookieOwed]).toEqual([[], 'set']);
  });
});

describe('what is owed after the session ends', () => {
  it('is an expired cookie only for a client that sent one', () => {
    const state = new SessionState();
    expect(cookieOwedAfterEnd(state)).toBe('none');
    state.clientSentCookie = true;
    expect(cookieOwedAfterEnd(state)).toBe('clear');
  });

  it('keeps a cookie already owed for the current id after a reload that found nothing', () => {
    const state = new SessionState();
    state.clientSentCookie = true;
    state.cookieOwed = 'set';
    expect(cookieOwedAfterReloadMiss(state)).toBe('set');
    state.cookieOwed = 'none';
    expect(cookieOwedAfterReloadMiss(state)).toBe('clear');
  });
});
