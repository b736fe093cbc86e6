import { Readable } from 'node:stream';
import {
  Controller,
  Get,
  Injectable,
  Query,
  Req,
  Res,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { Session, SessionService } from '@nest-hive/session';
import type { Response } from 'express';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { HttpAdapterName } from './http-adapters.js';
import { type ProbeData, type ProbeSession } from './probe.controller.js';

/** The Set-Cookie a "before send" hook adds (an `onSend` hook on Fastify, an interceptor on Express). */
export const HOOK_COOKIE = 'hook=1; Path=/';

/** Adds a header, a cookie and a body field as the response leaves: Express's counterpart of Fastify's `onSend`. */
@Injectable()
class BeforeSendInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        res.setHeader('x-on-send', '1');
        res.append('Set-Cookie', HOOK_COOKIE);
        return { ...(body as object), hooked: true };
      }),
    );
  }
}

/**
 * The probe routes that answer through Express's `res`. Each has a twin of
 * the same path and behaviour in {@link FastifyReplyProbeController}.
 */
@Controller('probe')
export class ExpressReplyProbeController {
  constructor(private readonly sessions: SessionService) {}

  @Get('late')
  async late(@Req() req: unknown, @Res() res: Response, @Query('v') value = 'late'): Promise<void> {
    res.setHeader('content-type', 'text/plain');
    res.write('start,');
    const session = await this.sessions.get<ProbeData>(req);
    session.user = value;
    res.end('end');
  }

  @Get('with-res')
  withRes(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'res';
    res.status(201).json({ via: 'res' });
  }

  @Get('raw-stream')
  rawStream(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'raw-stream';
    res.setHeader('content-type', 'text/plain');
    Readable.from(['a', 'b', 'c']).pipe(res);
  }

  @Get('res-redirect')
  resRedirect(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'res-redirected';
    res.redirect('/probe/read');
  }

  @Get('other-cookie')
  otherCookie(@Session() session: ProbeSession, @Res({ passthrough: true }) res: Response): { ok: true } {
    res.cookie('theme', 'dark');
    res.append('Set-Cookie', 'lang=en; Path=/');
    session.user = 'with-other-cookies';
    return { ok: true };
  }

  @Get('bulk-headers')
  bulkHeaders(@Session() session: ProbeSession, @Res({ passthrough: true }) res: Response): { ok: true } {
    res.set({ 'x-bulk': '1', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
    session.user = 'bulk';
    return { ok: true };
  }

  @Get('write-head')
  writeHead(@Session() session: ProbeSession, @Res() res: Response): void {
    session.user = 'write-head';
    res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'raw=1; Path=/' });
    res.end('raw');
  }

  @Get('on-send')
  @UseInterceptors(BeforeSendInterceptor)
  onSend(@Session() session: ProbeSession): Record<string, unknown> {
    session.user = 'on-send';
    return { ok: true };
  }
}

/**
 * The probe routes that answer through Fastify's `reply`, twins of
 * {@link ExpressReplyProbeController}'s. `write-head` and `late` take over
 * the response with `reply.hijack()`.
 */
@Controller('probe')
export class FastifyReplyProbeController {
  constructor(private readonly sessions: SessionService) {}

  @Get('late')
  async late(@Req() req: unknown, @Res() reply: FastifyReply, @Query('v') value = 'late'): Promise<void> {
    reply.hijack();
    reply.raw.setHeader('content-type', 'text/plain');
    reply.raw.write('start,');
    const session = await this.sessions.get<ProbeData>(req);
    session.user = value;
    reply.raw.end('end');
  }

  @Get('with-res')
  withRes(@Session() session: ProbeSession, @Res() reply: FastifyReply): void {
    session.user = 'res';
    void reply.status(201).send({ via: 'res' });
  }

  @Get('raw-stream')
  rawStream(@Session() session: ProbeSession, @Res() reply: FastifyReply): void {
    session.user = 'raw-stream';
    void reply.type('text/plain').send(Readable.from(['a', 'b', 'c']));
  }

  @Get('res-redirect')
  resRedirect(@Session() session: ProbeSession, @Res() reply: FastifyReply): void {
    session.user = 'res-redirected';
    // Nest sets the route's status (200) before the handler runs, which reply.redirect() would keep.
    void reply.redirect('/probe/read', 302);
  }

  @Get('other-cookie')
  otherCookie(
    @Session() session: ProbeSession,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): { ok: true } {
    reply.setCookie('theme', 'dark');
    reply.header('set-cookie', 'lang=en; Path=/');
    session.user = 'with-other-cookies';
    return { ok: true };
  }

  @Get('bulk-headers')
  bulkHeaders(
    @Session() session: ProbeSession,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): { ok: true } {
    reply.headers({ 'x-bulk': '1', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
    session.user = 'bulk';
    return { ok: true };
  }

  @Get('write-head')
  writeHead(@Session() session: ProbeSession, @Res() reply: FastifyReply): void {
    session.user = 'write-head';
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'raw=1; Path=/' });
    reply.raw.end('raw');
  }

  /** `startSessionApp` adds an `onSend` hook for this path (see `addOnSendProbeHook`). */
  @Get('on-send')
  onSend(@Session() session: ProbeSession): Record<string, unknown> {
    session.user = 'on-send';
    return { ok: true };
  }
}

/** The reply-probe controller of each adapter. */
export function replyProbeControllerFor(adapter: HttpAdapterName): Type<unknown> {
  return adapter === 'fastify' ? FastifyReplyProbeController : ExpressReplyProbeController;
}
