import { InvalidSessionOptionsError } from '../session.errors.js';
import type { SessionDataRecord } from '../session-record.interface.js';
import { materialize, type SerializedEntries } from '../core/session-data-diff.js';

/**
 * Who owns each session, for `UserSessions` (list and revoke a user's
 * sessions) and the cap per user. Option `users` of `SessionModule`.
 */
export interface UserSessionsOptions {
  /**
   * The user a session belongs to, from its data, as a string or a number;
   * `undefined`/`null` for an anonymous session. Called when a session is
   * saved, never on a request that only reads it. Default: Passport's
   * `data.passport.user` (what `serializeUser` gave).
   */
  userOf?: (data: Readonly<SessionDataRecord>) => string | number | null | undefined;
  /**
   * Sessions one user may hold at once. A login past it ends that user's
   * oldest sessions (by login time). Default: no cap.
   */
  maxSessionsPerUser?: number;
}

/** How the session layer reads owners from the serialized data of a commit. */
export interface ResolvedUsersConfig {
  /** The owner named by `entries`: a string, `undefined` when anonymous; `null` when `userOf` gave something unusable. */
  readonly ownerOf: (entries: SerializedEntries) => string | undefined | null;
  /** Sessions kept per user at most; `undefined` for no cap. */
  readonly maxSessionsPerUser: number | undefined;
  /** Whether the application set `users` itself (it then needs a store with an index). */
  readonly configured: boolean;
}

/** `userOf` for Passport: `passport.user`, read from that one key. */
function passportOwner(entries: SerializedEntries): string | undefined | null {
  const json = entries.get('passport');
  if (json === undefined) return undefined;
  const passport: unknown = JSON.parse(json);
  if (typeof passport !== 'object' || passport === null) return undefined;
  return ownerName((passport as { user?: unknown }).user);
}

/** A user value as the index names it. */
function ownerName(user: unknown): string | undefined | null {
  if (user === undefined || user === null) return undefined;
  if (typeof user === 'string') return user === '' ? null : user;
  if (typeof user === 'number' && Number.isFinite(user)) return String(user);
  return null;
}

/** Checks option `users` and resolves it. */
export function resolveUsersConfig(users: UserSessionsOptions | undefined): ResolvedUsersConfig {
  if (users !== undefined && (typeof users !== 'object' || users === null)) {
    throw new InvalidSessionOptionsError('users', 'must be an object: { userOf?, maxSessionsPerUser? }.');
  }
  const userOf = users?.userOf;
  if (userOf !== undefined && typeof userOf !== 'function') {
    throw new InvalidSessionOptionsError(
      'users.userOf',
      'must be a function from the session data to the user id, e.g. (data) => data.userId.',
    );
  }
  const max = users?.maxSessionsPerUser;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new InvalidSessionOptionsError('users.maxSessionsPerUser', 'must be a positive integer.');
  }
  return {
    ownerOf: userOf ? (entries) => ownerName(userOf(materialize(entries))) : passportOwner,
    maxSessionsPerUser: max,
    configured: users !== undefined,
  };
}
