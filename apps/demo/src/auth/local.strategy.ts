import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { checkDemoCredentials, type DemoUser } from './demo-user.js';

/** passport-local: `{ username, password }` from the request body. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  /** Passport's verify step: the user, or `null` (401) for anything else. */
  validate(username: string, password: string): DemoUser | null {
    return checkDemoCredentials(username, password) ?? null;
  }
}
