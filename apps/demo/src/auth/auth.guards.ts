import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { passportRequest } from './passport-request.js';

/**
 * `POST /api/auth/login`: passport-local checks the body, then `logIn()`
 * regenerates the session and stores the user (`req.session.regenerate(cb)`,
 * `req.session.save(cb)`). A failed check answers 401 before any of that.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  /** Authenticates, then starts the login session. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest<Request>());
    return result;
  }
}

/** Routes for logged-in users: `req.isAuthenticated()`, set by `passport.session()`. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  /** 401 unless the session holds a login. */
  canActivate(context: ExecutionContext): boolean {
    if (!passportRequest(context.switchToHttp().getRequest()).isAuthenticated()) {
      throw new UnauthorizedException('Not logged in: POST /api/auth/login first.');
    }
    return true;
  }
}
