import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

describe.each(HTTP_ADAPTERS)('every way a response leaves persists a written session (%s)', (adapter) => {
  let t: SessionTestApp;
  beforeAll(async () => {
    t = await startSessionApp({ adapter });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.clear();
    t.store.reset();
    t.store.delayMs = 0;
  });

  async function userOf(cookie: string | undefined): Promise<unknown> {
    expect(cookie).toBeDefined();
    const reply = await request(t.url, '/probe/read', { cookie });
    return (reply.json as { data: { user?: string } }).data.user;
  }

  it('7. the store write completes before the status line is sent', async () => {
    t.store.delayMs = 150;
    const response = await fetch(`${t.url}/probe/write?k=user&v=ann`);
    const headersAt = Date.now();
    await response.text();
    expect(t.store.writesCompletedAt).toHaveLength(1);
    expect(t.store.writesCompletedAt[0]).toBeLessThanOrEqual(headersAt);
  });

  it('7. a client that follows a redirect at once sees the data, even with a slow store', async () => {
    t.store.delayMs = 120;
    const redirect = await request(t.url, '/probe/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/probe/read');
    t.store.delayMs = 0;
    const followed = await request(t.url, redirect.headers.get('location') as string, {
      cookie: redirect.sessionCookie,
    });
    expect(followed.json).toMatchObject({ isNew: false, data: { user: 'redirected' } });
  });

  it('17. a response sent through @Res() persists the session', async () => {
    t.store.delayMs = 30;
    const reply = await request(t.url, '/probe/with-res');
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ via: 'res' });
    expect(await userOf(reply.sessionCookie)).toBe('res');
  });

  it('17. a StreamableFile response persists the session and streams its body whole', async () => {
    t.store.delayMs = 30;
    const reply = await request(t.url, '/probe/stream');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('chunk-1,chunk-2');
    expect(await userOf(reply.sessionCookie)).toBe('stream');
  });

  it('17. a stream piped into @Res() waits for the save and arrives whole', async () => {
    t.store.delayMs = 30;
    const reply = await request(t.url, '/probe/raw-stream');
    expect(reply.body).toBe('abc');
    expect(await userOf(reply.sessionCookie)).toBe('raw-stream');
  });

  it('17. a redirect through the adapter (res.redirect(), reply.redirect()) persists the session', async () => {
    t.store.delayMs = 30;
    const reply = await request(t.url, '/probe/res-redirect');
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/probe/read');
    expect(await userOf(reply.sessionCookie)).toBe('res-redirected');
  });

  it('17. a thrown HttpException persists the session written before it', async () => {
    const reply = await request(t.url, '/probe/throw');
    expect(reply.status).toBe(418);
    expect(reply.json).toMatchObject({ statusCode: 418, message: 'teapot' });
    expect(await userOf(reply.sessionCookie)).toBe('thrown');
  });

  it('a session changed after the headers went out is still saved before the response ends', async () => {
    const created = await request(t.url, '/probe/write?k=user&v=ann');
    t.store.delayMs = 30;
    const reply = await request(t.url, '/probe/late?v=streamed', { cookie: created.sessionCookie });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('start,end');
    expect(t.store.writesCompletedAt).toHaveLength(2);
    expect(await userOf(created.sessionCookie)).toBe('streamed');
  });

  it('a new session first written after the headers went out is saved, and a warning says its cookie was lost', async () => {
    const reply = await request(t.url, '/probe/late');
    expect(reply.body).toBe('start,end');
    expect(reply.setCookies).toEqual([]);
    expect(t.store.calls.set).toBe(1);
    expect(t.logger.text()).toContain('after the response headers were sent');
  });

  function cookieNames(setCookies: string[]): string[] {
    return setCookies.map((c) => c.split('=')[0]).sort();
  }

  it('16. Set-Cookie headers that other code set are preserved (res.cookie / reply.setCookie, and a set-cookie header)', async () => {
    t.store.delayMs = 20;
    const reply = await request(t.url, '/probe/other-cookie');
    expect(cookieNames(reply.setCookies)).toEqual(['lang', 'sid', 'theme']);
    expect(await userOf(reply.sessionCookie)).toBe('with-other-cookies');
  });

  it('16. headers set in bulk (res.set / reply.headers) keep their Set-Cookies next to ours', async () => {
    t.store.delayMs = 20;
    const reply = await request(t.url, '/probe/bulk-headers');
    expect(reply.headers.get('x-bulk')).toBe('1');
    expect(cookieNames(reply.setCookies)).toEqual(['a', 'b', 'sid']);
    expect(await userOf(reply.sessionCookie)).toBe('bulk');
  });

  it('16. writeHead(status, headers) with a Set-Cookie of its own keeps ours too (raw res, reply.hijack())', async () => {
    t.store.delayMs = 20;
    const reply = await request(t.url, '/probe/write-head');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('raw');
    expect(reply.headers.get('content-type')).toBe('text/plain');
    expect(cookieNames(reply.setCookies)).toEqual(['raw', 'sid']);
    expect(await userOf(reply.sessionCookie)).toBe('write-head');
  });

  it('16. a hook that changes the response as it leaves (onSend, an interceptor) keeps our cookie and its own', async () => {
    t.store.delayMs = 20;
    const reply = await request(t.url, '/probe/on-send');
    expect(reply.json).toEqual({ ok: true, hooked: true });
    expect(reply.headers.get('x-on-send')).toBe('1');
    expect(cookieNames(reply.setCookies)).toEqual(['hook', 'sid']);
    expect(await userOf(reply.sessionCookie)).toBe('on-send');
  });
});
