import { Readable } from 'node:stream';
import {
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Query,
  Req,
  Redirect,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { Session, SessionService } from '@nest-hive/session';
import type { Response } from 'express';

/** The data the probe routes keep in sessions. */
export interface ProbeData {
  user?: string;
  visits?: number;
  cart?: { items: string[] };
  [key: string]: unknown;
}

type ProbeSession = Session<ProbeData>;

/** Reports a session as tests look at it. */
function view(session: ProbeSession): Record<string, unknown> {
  return { id: session.id, isNew: session.isNew, data: { ...session } };
}

/** Routes that use the session in each way the behaviour tests need. */
@Controller('probe')
export class ProbeController {
  constructor(private readonly sessions: SessionService) {}

  @Get('late')
  async late(@Req() req: unknown, @Res() res: Response, @Query('v') value = 'late'): Promise<void> {
    res.setHeader('content-type', 'text/plain');
    res.write('start,');
    const session = await this.sessions.get<ProbeData>(req);
    session.user = value;
    res.end('end');
  }

  @Get('none')
  none(): { ok: true } {
    return { ok: true };
  }

  @Get('read')
  read(@Session() session: ProbeSession): Record<string, unknown> {
    void session.user;
    return view(session);
  }

  @Get('write')
  write(
    @Session() session: ProbeSession,
    @Query('k') key = 'user',
    @Query('v') value = 'ann',
  ): Record<string, unknown> {
    session[key] = value;
    return view(session);
  }

  @Get('visit')
  visit(@Session() session: ProbeSession): Record<string, unknown> {
    session.visits = (session.visits ?? 0) + 1;
    return view(session);
  }

  @Get('rewrite-same')
  rewriteSame(@Session() session: ProbeSession): Record<string, unknown> {
    const user = session.user;
    session.user = user;
    return view(session);
  }

  @Get('cart-push')
  cartPush(@Session() session: ProbeSession, @Query('item') item = 'apple'): Record<string, unknown> {
    session.cart ??= { items: [] };
    session.cart.items.push(item);
    return view(session);
  }

  @Get('save-then-return')
  async saveThenReturn(@Session() session: ProbeSession): Promise<Record<string, unknown>> {
    session.user = 'saved';
    await session.save();
    return view(session);
  }

  @Get('max-age')
  maxAge(@Session() session: ProbeSession, @Query('ms') ms: string): Record<string, unknown> {
    session.cookie.maxAge = Number(ms);
    session.user ??= 'max-age';
    return view(session);
  }

  @Get('regenerate')
  async regenerate(
    @Session() session: ProbeSession,
    @Query('keep') keep?: string,
  ): Promise<Record<string, unknown>> {
    await session.regenerate({ keepData: keep === '1' });
    session.regenerated = true;
    return view(session);
  }

  @Get('destroy')
  async destroy(@Session() session: ProbeSession): Promise<Record<string, unknown>> {
    await session.destroy();
    return view(session);
  }

  @Get('touch')
  async touch(@Session() session: ProbeSession): Promise<Record<string, unknown>> {
    await session.touch();
    return view(session);
  }

  @Get('reload')
  async reload(@Session() session: ProbeSession): Promise<Record<string, unknown>> {
    session.user = 'unsaved';
    await session.reload();
    return view(session);
  }

  @Get('slow-write')
  async slowWrite(
    @Session() session: ProbeSession,
    @Query('k') key: string,
    @Query('ms') ms = '50',
  ): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    session[key] = key;
    return view(session);
  }

  /** Loads the session, waits at the latch URL `latch` until the test releases it, then writes `k`=`v`. */
  @Get('latched-write')
  async latchedWrite(
    @Session() session: ProbeSession,
    @Query('k') key: string,
    @Query('v') value: string,
    @Query('latch') latch: string,
  ): Promise<unknown> {
    await (await fetch(latch)).text();
    session[key] = value;
    return view(session);
  }

  @Get('slow-read')
  async slowRead(@Session() session: ProbeSession, @Query('ms') ms = '50'): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return view(session);
  }

  @Get('with-res')
  withRes(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'res';
    res.status(201).json({ via: 'res' });
  }

  @Get('stream')
  stream(@Session() session: ProbeSession): StreamableFile {
    session.user = 'stream';
    return new StreamableFile(Readable.from(['chunk-1,', 'chunk-2']));
  }

  @Get('raw-stream')
  rawStream(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'raw-stream';
    res.setHeader('content-type', 'text/plain');
    Readable.from(['a', 'b', 'c']).pipe(res);
  }

  @Get('redirect')
  @Redirect('/probe/read', 302)
  redirect(@Session() session: ProbeSession): void {
    session.user = 'redirected';
  }

  @Get('express-redirect')
  expressRedirect(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'express-redirected';
    res.redirect('/probe/read');
  }

  @Get('throw')
  throwAfterWrite(@Session() session: ProbeSession): never {
    session.user = 'thrown';
    throw new HttpException('teapot', HttpStatus.I_AM_A_TEAPOT);
  }

  @Get('other-cookie')
  otherCookie(@Session() session: ProbeSession, @Res({ passthrough: true }) res: Response): { ok: true } {
    res.cookie('theme', 'dark');
    res.append('Set-Cookie', 'lang=en; Path=/');
    session.user = 'with-other-cookies';
    return { ok: true };
  }

  @Get('reserved')
  reserved(@Session() session: ProbeSession, @Query('k') key: string): unknown {
    (session as Record<string, unknown>)[key] = 'x';
    return view(session);
  }

  @Get('big')
  big(@Session() session: ProbeSession, @Query('bytes') bytes: string): unknown {
    session.blob = 'x'.repeat(Number(bytes));
    return { ok: true };
  }
}
