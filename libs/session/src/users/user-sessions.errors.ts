import { SessionError } from '../session.errors.js';

/** `UserSessions` was used with a store that keeps no per-user index. */
export class UserSessionsUnavailableError extends SessionError {
  override readonly name = 'UserSessionsUnavailableError';
  constructor() {
    super(
      'UserSessions needs a session store that keeps a per-user index, and the configured store keeps none: ' +
        'use a nest-hive store (memory, cluster, Redis), or wrap an express-session store with ' +
        'fromExpressSessionStore(), which keeps one beside it.',
    );
  }
}
