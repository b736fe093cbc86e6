import { Controller, Get, HttpCode, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { AuthenticatedGuard, LocalAuthGuard } from './auth.guards.js';
import { isDemoUser, type DemoUser } from './demo-user.js';
import { passportRequest } from './passport-request.js';

/** What the auth routes answer about the user. */
export interface AuthUserReply {
  user: { username: string };
}

/**
 * Login with Passport, the way Nest apps do it: `AuthGuard('local')`,
 * `PassportSerializer`, `passport.session()`, `req.isAuthenticated()` and
 * `req.logout(cb)`, over `@nest-hive/session`. These routes load the session
 * eagerly (see `demoSessionOptions`); every other route stays lazy.
 */
@Controller('api/auth')
export class AuthController {
  /** `{ username, password }` → 200 with a regenerated session, else 401 (nothing written). */
  @Post('login')
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  login(@Req() req: Request): AuthUserReply {
    return { user: { username: userOf(req).username } };
  }

  /** The logged-in user (`req.user`, from `deserializeUser`), else 401. Never sets a cookie. */
  @Get('me')
  @UseGuards(AuthenticatedGuard)
  me(@Req() req: Request): AuthUserReply {
    return { user: { username: userOf(passportRequest(req)).username } };
  }

  /** Ends the login (`req.logout(cb)`, which regenerates the session). */
  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request): Promise<{ ok: true }> {
    await new Promise<void>((resolve, reject) =>
      passportRequest(req).logout((error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('logout failed')) : resolve(),
      ),
    );
    return { ok: true };
  }
}

function userOf(req: Request): DemoUser {
  if (!isDemoUser(req.user)) throw new UnauthorizedException();
  return req.user;
}
