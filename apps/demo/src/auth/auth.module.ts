import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import type { RequestHandler } from 'express';
import passport from 'passport';
import { PASSPORT_CONTROLLERS } from './auth.routes.js';
import { LocalStrategy } from './local.strategy.js';
import { SessionSerializer } from './session.serializer.js';

/**
 * Passport login for the demo, and the user's sessions. `passport.session()`
 * runs on the auth routes only, after `SessionModule` (global, so its
 * middleware comes first) has loaded the session there
 * (`eager: { forRoutes: PASSPORT_CONTROLLERS }`).
 */
@Module({
  imports: [PassportModule.register({ session: true })],
  controllers: [...PASSPORT_CONTROLLERS],
  providers: [LocalStrategy, SessionSerializer],
})
export class AuthModule implements NestModule {
  /** Restores the login from the session on the auth routes. */
  configure(consumer: MiddlewareConsumer): void {
    // @types/passport types session() as `any`.
    consumer
      .apply(passport.initialize(), passport.session() as RequestHandler)
      .forRoutes(...PASSPORT_CONTROLLERS);
  }
}
