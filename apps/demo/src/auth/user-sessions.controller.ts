import {
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { UserSessions, type UserSessionInfo } from '@nest-hive/session';
import type { Request } from 'express';
import { AuthenticatedGuard } from './auth.guards.js';

/** What `GET /api/auth/sessions` answers. */
export interface UserSessionsReply {
  sessions: UserSessionInfo[];
}

/** What `POST /api/auth/sessions/revoke-others` answers. */
export interface RevokedReply {
  revoked: number;
}

/**
 * The logged-in user's sessions ("devices"), through `UserSessions`: list
 * them, end one by its handle, or end all but this one. A handle is opaque
 * and never a cookie; one user can neither see nor end another's sessions
 * (an unknown handle and another user's answer the same 404). These routes
 * load the session eagerly, as the other Passport routes do (see
 * `PASSPORT_CONTROLLERS`).
 */
@Controller('api/auth/sessions')
@UseGuards(AuthenticatedGuard)
export class UserSessionsController {
  /** @param userSessions - the session module's per-user view. */
  constructor(private readonly userSessions: UserSessions) {}

  /** 200 `{ sessions: [{ handle, current, createdAt, lastSeenAt, userAgent }] }`, most recently seen first. */
  @Get()
  async list(@Req() req: Request): Promise<UserSessionsReply> {
    const sessions = await this.userSessions.list(req);
    // The guard saw a login, but the session may have ended since (revoked on another worker).
    if (!sessions) throw new UnauthorizedException('Not logged in: POST /api/auth/login first.');
    return { sessions };
  }

  /**
   * Ends one of the user's sessions: 204. 404 when the handle names none of
   * theirs (unknown, malformed, or another user's). Ending the current one
   * logs this client out.
   */
  @Delete(':handle')
  @HttpCode(204)
  async revoke(@Req() req: Request, @Param('handle') handle: string): Promise<void> {
    if (!(await this.userSessions.revoke(req, handle))) {
      throw new NotFoundException(
        'None of your sessions has this handle: GET /api/auth/sessions lists them.',
      );
    }
  }

  /** Ends every session of the user but this one: 200 `{ revoked }`, how many ended. */
  @Post('revoke-others')
  @HttpCode(200)
  async revokeOthers(@Req() req: Request): Promise<RevokedReply> {
    return { revoked: await this.userSessions.revokeOthers(req) };
  }
}
