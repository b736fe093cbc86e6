import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { Session, SessionService } from '@nest-hive/session';
import { request } from '../support/http.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';

type NoteSession = Session<{ note?: string; other?: string }>;
type CarrierRequest = IncomingMessage & { session?: NoteSession };
type FrameworkRequest = { raw: IncomingMessage; session?: NoteSession };

/** Calls a callback-style session method and reports how its callback and promise behaved. */
async function callbackOutcome(
  call: (callback: (error?: Error) => void) => Promise<void>,
): Promise<{ calls: number; error: string | null; sync: boolean; promise: string }> {
  let calls = 0;
  let error: string | null = null;
  let returned = false;
  let sync = false;
  const promise = call((err) => {
    calls++;
    sync ||= !returned;
    error = err ? `${err.name}: ${err.message}` : null;
  });
  returned = true;
  const settled = await promise.then(
    () => 'resolved',
    (err: unknown) => `rejected: ${(err as Error).name}`,
  );
  await new Promise((resolve) => setImmediate(resolve));
  return { calls, error, sync, promise: settled };
}

/** What the callback of the last `save-fails` call saw (the response itself is the failed commit's 503). */
let lastSaveOutcome: Awaited<ReturnType<typeof callbackOutcome>> | undefined;

@Controller('api')
class ExpressStyleController {
  constructor(private readonly sessions: SessionService) {}

  @Get('write')
  write(@Session() session: NoteSession, @Query('v') value = 'x'): { ok: true } {
    session.note = value;
    return { ok: true };
  }

  /** express-session style: `req.session.regenerate(cb)` then `req.session.save(cb)`. */
  @Get('regenerate-cb')
  async regenerateCb(@Session() live: NoteSession, @Req() req: CarrierRequest): Promise<unknown> {
    const before = req.session!;
    const oldId = before.id;
    const regenerate = await callbackOutcome((cb) => before.regenerate(cb));
    const after = req.session!;
    after.other = 'new';
    const save = await callbackOutcome((cb) => after.save(cb));
    return {
      regenerate,
      save,
      replaced: after !== before,
      old: { id: before.id === oldId, note: before.note ?? null },
      current: { idChanged: after.id !== oldId, note: after.note ?? null, other: after.other },
      live: { sameId: live.id === after.id, other: live.other ?? null, note: live.note ?? null },
    };
  }

  /** The pattern of docs/sessions/usage.md: `await session.regenerate()` and then the same variable. */
  @Get('regenerate-then-write')
  async regenerateThenWrite(@Session() session: NoteSession, @Req() req: CarrierRequest): Promise<unknown> {
    const before = req.session!;
    await session.regenerate();
    session.other = 'after';
    return { same: req.session === before, current: { ...req.session! }, old: { ...before } };
  }

  @Get('keep-data')
  async keepData(@Req() req: CarrierRequest): Promise<unknown> {
    const before = req.session ?? (await this.sessions.get<{ note?: string }>(req));
    await new Promise<void>(
      (resolve, reject) =>
        void before.regenerate({ keepData: true }, (error) => (error ? reject(error) : resolve())),
    );
    return { note: req.session!.note ?? null, replaced: req.session !== before };
  }

  @Get('save-fails')
  async saveFails(@Session() session: NoteSession): Promise<{ ok: true }> {
    session.note = 'unsaved';
    lastSaveOutcome = await callbackOutcome((cb) => session.save(cb));
    return { ok: true };
  }

  @Get('callback-throws')
  async callbackThrows(@Session() session: NoteSession): Promise<{ ok: true }> {
    await session.save(() => {
      throw new Error('callback blew up in the test');
    });
    await new Promise((resolve) => setImmediate(resolve));
    return { ok: true };
  }

  @Get('bad-arguments')
  async badArguments(@Session() session: NoteSession): Promise<unknown> {
    const unsafe = session as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    const outcomes: string[] = [];
    for (const call of [() => unsafe.save('nope'), () => unsafe.regenerate(42), () => unsafe.touch({})]) {
      let threw = false;
      let promise: Promise<void> | undefined;
      try {
        promise = call();
      } catch {
        threw = true;
      }
      outcomes.push(
        threw
          ? 'threw synchronously'
          : await promise!.then(
              () => 'resolved',
              (e: unknown) => (e as Error).name,
            ),
      );
    }
    return outcomes;
  }

  @Get('detached-write')
  async detachedWrite(@Req() req: CarrierRequest, @Session() live: NoteSession): Promise<unknown> {
    const before = req.session!;
    await before.regenerate();
    before.note = 'lost';
    live.other = 'kept';
    return { ok: true };
  }

  @Get('read')
  read(@Session() session: NoteSession): unknown {
    return { id: session.id, data: { ...session } };
  }

  /**
   * A framework request that wraps the Node request in `raw`: Fastify's own
   * on Fastify, one made up the same way on Express.
   */
  @Get('wrapped')
  async wrapped(@Req() req: IncomingMessage | FrameworkRequest): Promise<unknown> {
    const wrapper: FrameworkRequest = 'raw' in req ? req : { raw: req };
    const session = await this.sessions.get<{ note?: string }>(wrapper);
    return {
      onWrapper: wrapper.session?.note ?? null,
      onRaw: (wrapper.raw as CarrierRequest).session?.note ?? null,
      note: session.note ?? null,
    };
  }
}

describe.each(HTTP_ADAPTERS)('express-session-compatible session API (%s)', (adapter) => {
  let t: SessionTestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await startSessionApp({ adapter, controllers: [ExpressStyleController] });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t.close();
  });
  afterEach(() => {
    t.store.failure = undefined;
    expect(unhandled).toEqual([]);
  });

  it('regenerate(cb) and save(cb) call back once, asynchronously, and still return promises', async () => {
    const cookie = (await request(t.url, '/api/write?v=old-note')).sessionCookie;
    const reply = await request(t.url, '/api/regenerate-cb', { cookie });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      regenerate: { calls: 1, error: null, sync: false, promise: 'resolved' },
      save: { calls: 1, error: null, sync: false, promise: 'resolved' },
      replaced: true,
      old: { id: true, note: 'old-note' },
      current: { idChanged: true, note: null, other: 'new' },
      live: { sameId: true, other: 'new', note: null },
    });
    expect(reply.sessionCookie).not.toBe(cookie);
    expect((await request(t.url, '/api/read', { cookie: reply.sessionCookie })).json).toMatchObject({
      data: { other: 'new' },
    });
    expect((await request(t.url, '/api/read', { cookie })).json).toMatchObject({ data: {} });
  });

  it('after `await session.regenerate()`, the @Session() object writes to the new session', async () => {
    const cookie = (await request(t.url, '/api/write?v=before')).sessionCookie;
    const reply = await request(t.url, '/api/regenerate-then-write', { cookie });
    expect(reply.json).toEqual({ same: false, current: { other: 'after' }, old: { note: 'before' } });
    expect((await request(t.url, '/api/read', { cookie: reply.sessionCookie })).json).toMatchObject({
      data: { other: 'after' },
    });
  });

  it('regenerate({ keepData: true }, cb) carries the data onto the new object', async () => {
    const cookie = (await request(t.url, '/api/write?v=carried')).sessionCookie;
    const reply = await request(t.url, '/api/keep-data', { cookie });
    expect(reply.json).toEqual({ note: 'carried', replaced: true });
    expect((await request(t.url, '/api/read', { cookie: reply.sessionCookie })).json).toMatchObject({
      data: { note: 'carried' },
    });
  });

  it('a failed save goes to the callback, the promise rejects alike, nothing is unhandled; the response is a 503', async () => {
    t.store.failure = new Error('write refused by the test');
    const reply = await request(t.url, '/api/save-fails');
    expect(lastSaveOutcome).toEqual({
      calls: 1,
      error: 'SessionStoreUnavailableError: Session store unavailable, please retry shortly',
      sync: false,
      promise: 'rejected: SessionStoreUnavailableError',
    });
    // The commit before the response tries again and fails: the client is told, not handed a 200.
    expect(reply.status).toBe(503);
    expect(reply.setCookies).toEqual([]);
    expect(t.logger.text()).toContain('write refused by the test');
  });

  it('a callback that throws is logged; the request and the process go on', async () => {
    const reply = await request(t.url, '/api/callback-throws');
    expect(reply.status).toBe(200);
    expect(t.logger.text()).toContain(
      'The callback passed to session.save() threw: callback blew up in the test',
    );
  });

  it('bad arguments reject with a TypeError, never throw synchronously', async () => {
    expect((await request(t.url, '/api/bad-arguments')).json).toEqual([
      'TypeError',
      'TypeError',
      'TypeError',
    ]);
  });

  it('a write to an object regenerate() replaced is not saved, and is logged once', async () => {
    const reply = await request(t.url, '/api/detached-write');
    expect((await request(t.url, '/api/read', { cookie: reply.sessionCookie })).json).toEqual({
      id: expect.any(String),
      data: { other: 'kept' },
    });
    expect(t.logger.text()).toContain('changed after regenerate() or destroy() replaced it');
  });

  it('sets req.session on a framework request that wraps the Node request, and on the Node request', async () => {
    const cookie = (await request(t.url, '/api/write?v=wrapped')).sessionCookie;
    expect((await request(t.url, '/api/wrapped', { cookie })).json).toEqual({
      onWrapper: 'wrapped',
      onRaw: 'wrapped',
      note: 'wrapped',
    });
  });
});
