import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Session } from '@nest-hive/session';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';
import '../session-data.js';

/** Body of `POST /api/login`. */
interface LoginBody {
  user?: unknown;
}

/** The session routes of the demo contract. */
@Controller('api')
export class SessionController {
  /** Reads the session, never writes it. */
  @Get('whoami')
  whoami(@Session() session: Session): { user: string | null } {
    return { user: session.user ?? null };
  }

  /** Counts visits in the session. */
  @Get('visits')
  visits(@Session() session: Session): { visits: number } & ProcessIdentity {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits, ...processIdentity() };
  }

  /** Starts a fresh session (new id) holding the user. */
  @Post('login')
  @HttpCode(200)
  async login(@Session() session: Session, @Body() body: LoginBody): Promise<{ user: string }> {
    const user = typeof body?.user === 'string' ? body.user.trim() : '';
    if (!user || user.length > 64) {
      throw new BadRequestException('Body must be { "user": "<name of 1-64 characters>" }.');
    }
    await session.regenerate();
    session.user = user;
    return { user };
  }

  /** Ends the session. */
  @Post('logout')
  @HttpCode(200)
  async logout(@Session() session: Session): Promise<{ user: null }> {
    await session.destroy();
    return { user: null };
  }
}
