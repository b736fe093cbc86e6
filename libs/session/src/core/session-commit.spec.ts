import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { SessionTooLargeError } from '../session.errors.js';
import { resolveSessionConfig } from '../session-config.js';
import type { SessionModuleOptions } from '../session-options.interface.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import { HANDSHAKE_CHANNEL } from './handshake-session.js';
import { RequestSession } from './request-session.js';
import {
  commitBeforeEnd,
  commitBeforeHeaders,
  commitForReply,
  giveUpCommit,
  noteMayChange,
  performCommit,
  planCommit,
  TOUCH_WORK,
} from './session-commit.js';
import { SessionRuntime } from './session-runtime.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const ID = 'a'.repeat(32);

class WarningLines implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** A real session of a request that sent no cookie, over a memory store. */
function setup(options: Partial<SessionModuleOptions> = {}, handshake = false) {
  const store = new MemorySessionStore({ sweepIntervalMs: 0 });
  const logger = new WarningLines();
  const runtime = new SessionRuntime(resolveSessionConfig({ secret: SECRET, ...options }), store, logger);
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  const session = handshake
    ? new RequestSession(runtime, req, res, HANDSHAKE_CHANNEL)
    : new RequestSession(runtime, req, res);
  session.becomeNew(ID);
  return { store, logger, session, res };
}

describe('planCommit', () => {
  it('saves a new session only once it holds data or a cookie lifetime', () => {
    const { session } = setup();
    expect(planCommit(session).kind).toBe('none');
    session.data.n = 1;
    expect(planCommit(session).kind).toBe('create');
    session.clearData();
    session.changeMaxAge(5_000);
    expect(planCommit(session).kind).toBe('create');
  });

  it('updates a saved session that changed, and touches an unchanged one when a touch is due', () => {
    const { session } = setup({ touchAfter: 0 });
    session.adoptRecord(ID, { data: { n: 1 }, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    expect(planCommit(session)).toBe(TOUCH_WORK);
    session.data.n = 2;
    expect(planCommit(session).kind).toBe('update');
  });

  it('never creates a handshake session', () => {
    const { session } = setup({}, true);
    session.data.n = 1;
    expect(planCommit(session).kind).toBe('none');
  });
});

describe('performCommit', () => {
  it('creates the record at once with a memory store, and owes the cookie', () => {
    const { store, session } = setup();
    session.data.n = 1;
    expect(performCommit(session, planCommit(session))).toBeUndefined();
    expect(store.getNow(ID)?.data).toEqual({ n: 1 });
    expect([session.isNew, session.cookieOwed, session.snapshot.get('n')]).toEqual([false, 'set', '1']);
  });

  it('refuses data over maxSessionBytes', () => {
    const { session } = setup({ maxSessionBytes: 10 });
    session.data.text = 'x'.repeat(20);
    expect(() => performCommit(session, planCommit(session))).toThrow(SessionTooLargeError);
  });

  it('drops the changes of a session another request ended, and starts a new one', async () => {
    const { store, logger, session } = setup();
    session.data.n = 1;
    expect(performCommit(session, planCommit(session))).toBeUndefined();
    await store.destroy(ID);
    session.data.n = 2;
    await performCommit(session, planCommit(session));
    expect([session.isNew, session.id === ID, Object.keys(session.data)]).toEqual([true, false, []]);
    expect(logger.warnings).toEqual([expect.stringContaining('destroyed or expired by another request')]);
  });
});

describe('the commit phase', () => {
  it('holds the response from the first possible change on', () => {
    const { session, res } = setup();
    const end = res.end;
    noteMayChange(session);
    expect(session.commitPhase).toBe('watching');
    expect(res.end).not.toBe(end);
  });

  it('lets a head committed in a framework hook go out as it is, until the session changes again', () => {
    const { session, res } = setup();
    session.data.n = 1;
    noteMayChange(session);
    expect(commitForReply(session, res)).toBeUndefined();
    expect(session.commitPhase).toBe('headCommitted');
    expect(res.getHeader('set-cookie')).toHaveLength(1);
    expect(commitBeforeHeaders(session)).toBeUndefined();
    noteMayChange(session);
    expect(session.commitPhase).toBe('watching');
  });

  it('checks the data again at the end only when an object was handed out since the head’s commit', () => {
    const { store, session, res } = setup();
    session.data.list = [1];
    noteMayChange(session);
    expect(commitForReply(session, res)).toBeUndefined();
    (session.data.list as number[]).push(2);
    expect(commitBeforeEnd(session)).toBeUndefined();
    expect(store.getNow(ID)?.data).toEqual({ list: [1] });
    session.handedOut = true;
    expect(commitBeforeEnd(session)).toBeUndefined();
    expect(store.getNow(ID)?.data).toEqual({ list: [1, 2] });
  });

  it('commits nothing more once a commit failed', () => {
    const { session } = setup();
    noteMayChange(session);
    giveUpCommit(session, new Error('store down'));
    session.data.n = 1;
    noteMayChange(session);
    expect(session.commitPhase).toBe('gaveUp');
    expect([commitBeforeHeaders(session), commitBeforeEnd(session)]).toEqual([undefined, undefined]);
  });
});
