import {
  Controller,
  Get,
  Injectable,
  Req,
  Session as NestSession,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import {
  InjectSessionStore,
  Session,
  SessionService,
  type SessionStore,
  UseSession,
} from '@nest-hive/session';

/** A guard that reads the session through `SessionService`. */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const session = await this.sessions.get<{ user?: string }>(context.switchToHttp().getRequest());
    return typeof session.user === 'string';
  }
}

/** Routes that reach the session without `@Session()`. */
@Controller('other')
export class OtherAccessController {
  constructor(
    private readonly sessions: SessionService,
    @InjectSessionStore() private readonly store: SessionStore,
  ) {}

  @Get('guarded')
  @UseGuards(UserGuard)
  guarded(@Req() req: { session: { user?: string } }): { user: string | undefined; peeked: boolean } {
    return { user: req.session.user, peeked: this.sessions.peek(req) !== undefined };
  }

  @UseSession()
  @Get('nest-decorator')
  nestDecorator(@NestSession() session: { user?: string; id: string }): {
    user: string | null;
    hasId: boolean;
  } {
    return { user: session.user ?? null, hasId: typeof session.id === 'string' };
  }

  @UseSession()
  @Get('req-session')
  reqSession(@Req() req: { session: { visits?: number } }): { visits: number } {
    req.session.visits = (req.session.visits ?? 0) + 1;
    return { visits: req.session.visits };
  }

  @Get('not-loaded')
  notLoaded(@Req() req: { session?: unknown }): { loaded: boolean } {
    return { loaded: req.session !== undefined };
  }

  @Get('store-size')
  async storeSize(): Promise<{ size: number | undefined }> {
    return { size: await this.store.length?.() };
  }

  @Get('write-bigint')
  writeBigint(@Session() session: Session<{ big?: unknown }>): { ok: true } {
    session.big = 10n;
    return { ok: true };
  }
}

/** A controller that uses Nest's `@Session()` without `@UseSession()`. */
@Controller('bare')
export class BareNestSessionController {
  @Get()
  bare(@NestSession() session: unknown): unknown {
    return session;
  }
}

/** Routes used to check `forRoutes`/`exclude`. */
@Controller('scoped')
export class ScopedController {
  @Get('in')
  in(@Session() session: Session<{ n?: number }>): { n: number } {
    session.n = (session.n ?? 0) + 1;
    return { n: session.n };
  }

  @Get('out')
  out(@Session() session: Session): { isNew: boolean } {
    return { isNew: session.isNew };
  }

  @Get('plain')
  plain(): { ok: true } {
    return { ok: true };
  }
}
