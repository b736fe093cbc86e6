import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { demoUserFrom, type DemoUser } from './demo-user.js';

/** What the login keeps in the session (`session.passport.user`): the user name only. */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  /** On login: the user name goes into the session. */
  serializeUser(user: DemoUser, done: (error: Error | null, name?: string) => void): void {
    done(null, user.username);
  }

  /** On each request of a logged-in session: `req.user` from the stored name. */
  deserializeUser(name: unknown, done: (error: Error | null, user?: DemoUser | false) => void): void {
    done(null, demoUserFrom(name) ?? false);
  }
}
