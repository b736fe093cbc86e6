import { Readable } from 'node:stream';
import { Controller, Get, HttpException, HttpStatus, Query, Redirect, StreamableFile } from '@nestjs/common';
import { Session } from '@nest-hive/session';

/** The data the probe routes keep in sessions. */
export interface ProbeData {
  user?: string;
  visits?: number;
  cart?: { items: string[] };
  [key: string]: unknown;
}

/** The session of the probe routes. */
export type ProbeSession = Session<ProbeData>;

/** Reports a session as tests look at it. */
export function view(session: ProbeSession): Record<string, unknown> {
  return { id: session.id, isNew: session.isNew, data: { ...session } };
}

/**
 * Routes that use the session in each way the behaviour tests need, the same
 * on every HTTP adapter. The routes that answer through the adapter's own
 * reply object are in `probe-replies.controllers.ts`; `startSessionApp` adds
 * the ones of its adapter wherever this controller is mounted.
 */
@Controller('probe')
export class ProbeController {
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

  @Get('stream')
  stream(@Session() session: ProbeSession): StreamableFile {
    session.user = 'stream';
    return new StreamableFile(Readable.from(['chunk-1,', 'chunk-2']));
  }

  @Get('redirect')
  @Redirect('/probe/read', 302)
  redirect(@Session() session: ProbeSession): void {
    session.user = 'redirected';
  }

  @Get('throw')
  throwAfterWrite(@Session() session: ProbeSession): never {
    session.user = 'thrown';
    throw new HttpException('teapot', HttpStatus.I_AM_A_TEAPOT);
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
