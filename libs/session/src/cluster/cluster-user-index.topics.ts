import { defineTopic } from '@nest-hive/cluster';
import { arrayOf, isFiniteNumber, isString, shape, type Guard } from '../core/guards.js';
import { SESSION_ID_PATTERN } from '../session.constants.js';
import { sessionHandle, SESSION_HANDLE_PATTERN } from '../users/session-handle.js';
import type { UserSessionEntry } from '../users/user-session-index.interface.js';

/** Longest user name the index topics accept (a longer one fails the login with a 503). */
export const MAX_INDEXED_USER_LENGTH = 1024;
/** Longest `User-Agent` an entry may carry (the session core keeps at most 256 characters). */
const MAX_USER_AGENT_LENGTH = 256;
/** Most handles one `remove` may name (the worker side sends longer lists in parts). */
export const MAX_REMOVED_HANDLES = 10_000;

const isUser: Guard<string> = (value): value is string =>
  isString(value) && value.length > 0 && value.length <= MAX_INDEXED_USER_LENGTH;
const isHandle: Guard<string> = (value): value is string =>
  isString(value) && SESSION_HANDLE_PATTERN.test(value);
const isSessionId: Guard<string> = (value): value is string =>
  isString(value) && SESSION_ID_PATTERN.test(value);
const isUserAgent: Guard<string> = (value): value is string =>
  isString(value) && value.length <= MAX_USER_AGENT_LENGTH;
const isHandleList: Guard<string[]> = (value): value is string[] =>
  arrayOf(isHandle)(value) && value.length <= MAX_REMOVED_HANDLES;
const isNull: Guard<null> = (value): value is null => value === null;

const hasEntryFields = shape<UserSessionEntry>({
  handle: isHandle,
  sessionId: isSessionId,
  createdAt: isFiniteNumber,
  lastSeenAt: isFiniteNumber,
  expiresAt: isFiniteNumber,
  userAgent: isUserAgent,
});

/** An index entry whose handle is the one of its session id (so no entry can name another session). */
const isEntry: Guard<UserSessionEntry> = (value): value is UserSessionEntry =>
  hasEntryFields(value) && value.handle === sessionHandle(value.sessionId);

/** Payload of {@link USER_INDEX_ADD}. */
export interface UserIndexAdd {
  /** The owner, as `users.userOf` names them. */
  user: string;
  /** The session's entry. */
  entry: UserSessionEntry;
}

/** Payload of {@link USER_INDEX_REMOVE}. */
export interface UserIndexRemove {
  /** The owner. */
  user: string;
  /** Handles of the entries to remove. */
  handles: string[];
}

/** Payload of {@link USER_INDEX_SEEN}. */
export interface UserIndexSeen {
  /** The owner. */
  user: string;
  /** Handle of the entry to renew. */
  handle: string;
  /** Epoch ms of the renewing request. */
  lastSeenAt: number;
  /** Epoch ms of the new expiry. */
  expiresAt: number;
}

/** Adds (or replaces) one entry of a user's index. */
export const USER_INDEX_ADD = defineTopic<UserIndexAdd, null>('nest-hive:session:index:add', {
  validate: shape<UserIndexAdd>({ user: isUser, entry: isEntry }),
  validateReply: isNull,
});

/** Lists a user's unexpired entries. */
export const USER_INDEX_LIST = defineTopic<{ user: string }, UserSessionEntry[]>(
  'nest-hive:session:index:list',
  {
    validate: shape<{ user: string }>({ user: isUser }),
    validateReply: arrayOf(isEntry),
  },
);

/** Removes entries of a user's index by handle. */
export const USER_INDEX_REMOVE = defineTopic<UserIndexRemove, null>('nest-hive:session:index:remove', {
  validate: shape<UserIndexRemove>({ user: isUser, handles: isHandleList }),
  validateReply: isNull,
});

/** Renews one entry of a user's index. */
export const USER_INDEX_SEEN = defineTopic<UserIndexSeen, null>('nest-hive:session:index:seen', {
  validate: shape<UserIndexSeen>({
    user: isUser,
    handle: isHandle,
    lastSeenAt: isFiniteNumber,
    expiresAt: isFiniteNumber,
  }),
  validateReply: isNull,
});
