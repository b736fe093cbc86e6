import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Req, Res, StreamableFile } from '@nestjs/common';
import { Session, UseSession } from '@nest-hive/session';
import { request } from '../support/http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

interface CartData {
  user?: string;
  cart?: { items: string[] };
}

/** Whether the session layer holds this response for a commit (its hook place, set by the 'request' listener). */
function held(res: unknown): boolean | 'unprepared' {
  const raw = (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
  const place = Object.getOwnPropertySymbols(raw).find(
    (s) => s.description === 'nest-hive.session.response-hook',
  );
  if (!place) return 'unprepared';
  return Reflect.get(raw, place) !== null;
}

@Controller('hold')
class HoldController {
  @Get('seed')
  seed(@Session() session: Session<CartData>): { ok: true } {
    session.user = 'ann';
    session.cart = { items: ['a'] };
    return { ok: true };
  }

  @Get('read-plain')
  readPlain(
    @Session() session: Session<CartData>,
    @Res({ passthrough: true }) res: unknown,
  ): { user?: string; held: unknown } {
    return { user: session.user, held: held(res) };
  }

  @Get('read-object')
  readObject(
    @Session() session: Session<CartData>,
    @Res({ passthrough: true }) res: unknown,
  ): { items?: string[]; held: unknown } {
    return { items: session.cart?.items, held: held(res) };
  }

  /** Reaches the cart through the property descriptors of req.session (no get), then changes it in place. */
  @UseSession()
  @Get('push-via-descriptors')
  pushViaDescriptors(@Req() req: { session: CartData }): { ok: true } {
    const cart = Object.getOwnPropertyDescriptor(req.session, 'cart')?.value as
      { items: string[] } | undefined;
    cart?.items.push('via-descriptors');
    return { ok: true };
  }

  /** Reaches the cart through a spread of the @Session() object, then changes it in place. */
  @Get('push-via-spread')
  pushViaSpread(@Session() session: Session<CartData>): { ok: true } {
    const { cart } = { ...session };
    cart?.items.push('via-spread');
    return { ok: true };
  }

  /**
   * Takes the cart before the response starts and changes it in place while the body streams,
   * after the head (and, on Fastify, its onSend commit) went out.
   */
  @Get('push-while-streaming')
  pushWhileStreaming(@Session() session: Session<CartData>): StreamableFile {
    const cart = session.cart;
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent === 0) cart?.items.push('while-streaming');
        this.push(sent++ < 2 ? `chunk ${sent}\n` : null);
      },
    });
    return new StreamableFile(body);
  }

  @Get('cart')
  cart(@Session() session: Session<CartData>): { items?: string[] } {
    return { items: session.cart?.items };
  }
}

describe.each(HTTP_ADAPTERS)('the response is held only when the session may change (%s)', (adapter) => {
  let t: SessionTestApp;
  let cookie: string;
  beforeAll(async () => {
    t = await startSessionApp({ adapter, controllers: [HoldController] });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const seeded = await request(t.url, '/hold/seed');
    cookie = seeded.sessionCookie as string;
    expect(cookie).toBeDefined();
  });

  it('reading plain values leaves the response alone', async () => {
    const reply = await request(t.url, '/hold/read-plain', { cookie });
    expect(reply.json).toEqual({ user: 'ann', held: false });
  });

  it('handing out an object holds the response, so an in-place change can be saved', async () => {
    const reply = await request(t.url, '/hold/read-object', { cookie });
    expect(reply.json).toEqual({ items: ['a'], held: true });
  });

  it.each(['push-via-descriptors', 'push-via-spread'])(
    'an object reached through %s and changed in place is saved',
    async (route) => {
      const pushed = await request(t.url, `/hold/${route}`, { cookie });
      expect(pushed.status).toBe(200);
      const after = await request(t.url, '/hold/cart', { cookie });
      expect(after.json).toEqual({ items: ['a', route.replace('push-', '')] });
    },
  );

  it('an object taken before the response and changed in place while the body streams is saved', async () => {
    const streamed = await request(t.url, '/hold/push-while-streaming', { cookie });
    expect(streamed.status).toBe(200);
    expect(streamed.body).toBe('chunk 1\nchunk 2\n');
    const after = await request(t.url, '/hold/cart', { cookie });
    expect(after.json).toEqual({ items: ['a', 'while-streaming'] });
  });
});
