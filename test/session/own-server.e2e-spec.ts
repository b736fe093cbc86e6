import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Req, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Session, SessionModule, UseSession } from '@nest-hive/session';
import express from 'express';
import { request } from '../support/http.js';
import { ProbeController } from '../support/probe.controller.js';
import { TEST_SECRET } from '../support/session-app.js';

@Controller('own')
class RequestSessionController {
  /** What a service reading `req.session` sees. */
  @UseSession()
  @Get('req-session')
  reqSession(@Req() req: { session: Session }): { id: string; same: boolean } {
    return { id: req.session.id, same: req.session === req.session };
  }

  /** Which of the session's per-request places the Node request carries. */
  @Get('prepared')
  prepared(@Req() req: object): { symbols: string[] } {
    return { symbols: Object.getOwnPropertySymbols(req).map((symbol) => symbol.description ?? '') };
  }

  @Get('both')
  both(@Session() session: Session, @Req() req: { session?: Session }): { visits: number; same: boolean } {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits, same: req.session?.visits === session.visits };
  }
}

@Module({
  imports: [SessionModule.forRoot({ secret: TEST_SECRET })],
  controllers: [ProbeController, RequestSessionController],
})
class OwnServerModule {}

/**
 * The same Express app served through Nest's server and through a server of the application's
 * own (`new ExpressAdapter(app)`, then `http.createServer(app)`), which Nest never sees: the
 * session works on both, and a session made on one continues on the other.
 */
describe('an Express app served through a server of its own', () => {
  let app: INestApplication;
  let own: Server;
  let nestUrl: string;
  let ownUrl: string;
  beforeAll(async () => {
    const expressApp = express();
    app = await NestFactory.create(OwnServerModule, new ExpressAdapter(expressApp), { logger: false });
    await app.listen(0, '127.0.0.1');
    nestUrl = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    own = createServer(expressApp);
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    ownUrl = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => own.close(() => resolve()));
    await app.close();
  });

  it.each([
    ['its own server', () => ownUrl],
    ["Nest's server", () => nestUrl],
  ])('writes and continues a session through %s', async (_name, url) => {
    const first = await request(url(), '/probe/write?k=user&v=ann');
    expect(first.status).toBe(200);
    expect(first.sessionCookie).toBeDefined();
    const cookie = first.sessionCookie as string;
    const read = await request(url(), '/probe/read', { cookie });
    expect((read.json as { data: { user?: string } }).data.user).toBe('ann');
    const none = await request(url(), '/probe/none', { cookie });
    expect(none.setCookies).toEqual([]);
    const both = await request(url(), '/own/both', { cookie });
    expect(both.json).toEqual({ visits: 1, same: true });
    const reqSession = await request(url(), '/own/req-session', { cookie });
    expect((reqSession.json as { same: boolean }).same).toBe(true);
    expect((reqSession.json as { id: string }).id).toBe((read.json as { id: string }).id);
  });

  it("prepares the requests of Nest's server before Express sees them, and only those", async () => {
    const places = ['nest-hive.session.slot', 'nest-hive.session.response', 'nest-hive.session.source'];
    const viaNest = (await request(nestUrl, '/own/prepared')).json as { symbols: string[] };
    expect(viaNest.symbols).toEqual(expect.arrayContaining(places));
    const viaOwn = (await request(ownUrl, '/own/prepared')).json as { symbols: string[] };
    expect(viaOwn.symbols.filter((name) => name.startsWith('nest-hive.'))).toEqual([]);
  });

  it('continues on one server a session made on the other', async () => {
    const made = await request(ownUrl, '/probe/write?k=user&v=bob');
    const cookie = made.sessionCookie as string;
    const read = await request(nestUrl, '/probe/read', { cookie });
    expect((read.json as { data: { user?: string } }).data.user).toBe('bob');
    const back = await request(ownUrl, '/probe/write?k=user&v=cy', { cookie });
    expect(back.status).toBe(200);
    const again = await request(nestUrl, '/probe/read', { cookie });
    expect((again.json as { data: { user?: string } }).data.user).toBe('cy');
  });
});
