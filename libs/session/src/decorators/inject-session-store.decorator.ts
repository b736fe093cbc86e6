import { Inject } from '@nestjs/common';
import { SessionStore } from '../session-store.interface.js';

/**
 * The injection token of the active session store.
 *
 * @example
 * ```ts
 * moduleRef.get(getSessionStoreToken())
 * ```
 */
export function getSessionStoreToken(): symbol {
  return SessionStore;
}

/**
 * Injects the active {@link SessionStore}.
 *
 * @example
 * ```ts
 * constructor(@InjectSessionStore() private readonly store: SessionStore) {}
 * ```
 */
export function InjectSessionStore(): PropertyDecorator & ParameterDecorator {
  return Inject(SessionStore);
}
