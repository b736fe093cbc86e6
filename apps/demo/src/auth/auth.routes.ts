import type { Type } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { UserSessionsController } from './user-sessions.controller.js';

/**
 * The controllers of the Passport routes (`/api/auth/*`). The session loads
 * eagerly on them (`demoSessionOptions`) and `passport.session()` runs on
 * them (`AuthModule`): both read this one list, so a route added here gets
 * both.
 */
export const PASSPORT_CONTROLLERS: readonly Type<unknown>[] = [AuthController, UserSessionsController];
