import { defineTopic } from '@nest-hive/cluster';
import {
  arrayOf,
  isBoolean,
  isFiniteNumber,
  isPlainObject,
  isPositiveNumber,
  isString,
  nullable,
  optional,
  shape,
} from '../core/guards.js';
import { SESSION_ID_PATTERN } from '../session.constants.js';
import { CACHE_LEASE_BOUNDS } from './session-read-cache.js';
import type {
  SessionPatch,
  SessionRecord,
  StoredCookieSettings,
  StoredSessionRecord,
} from '../session-record.interface.js';

const isSessionId = (value: unknown): value is string => isString(value) && SESSION_ID_PATTERN.test(value);
const isCookie = shape<StoredCookieSettings>({ maxAge: optional(nullable(isFiniteNumber)) });
const isRecord = shape<SessionRecord>({
  data: isPlainObject,
  createdAt: isFiniteNumber,
  cookie: optional(isCookie),
});
const isStoredRecord = shape<StoredSessionRecord>({
  data: isPlainObject,
  createdAt: isFiniteNumber,
  cookie: optional(isCookie),
  expiresAt: isFiniteNumber,
});
const isPatch = shape<SessionPatch>({
  set: isPlainObject,
  unset: arrayOf(isString),
  cookie: optional(isCookie),
});
const hasId = shape<{ id: string }>({ id: isSessionId });
const isNothing = shape<Record<string, never>>({});

/** Reads one session. */
export const SESSION_GET = defineTopic<{ id: string }, StoredSessionRecord | null>('nest-hive:session:get', {
  validate: hasId,
  validateReply: nullable(isStoredRecord),
});

/** Creates or replaces one session. */
export const SESSION_SET = defineTopic<{ id: string; record: SessionRecord; ttlMs: number }, null>(
  'nest-hive:session:set',
  { validate: shape({ id: isSessionId, record: isRecord, ttlMs: isPositiveNumber }) },
);

/** Applies one request's per-key changes. */
export const SESSION_PATCH = defineTopic<{ id: string; patch: SessionPatch; ttlMs: number }, boolean>(
  'nest-hive:session:patch',
  {
    validate: shape({ id: isSessionId, patch: isPatch, ttlMs: isPositiveNumber }),
    validateReply: (reply): reply is boolean => typeof reply === 'boolean',
  },
);

/** Deletes one session. */
export const SESSION_DESTROY = defineTopic<{ id: string }, null>('nest-hive:session:destroy', {
  validate: hasId,
});

/** Extends one session's lifetime. */
export const SESSION_TOUCH = defineTopic<{ id: string; ttlMs: number }, null>('nest-hive:session:touch', {
  validate: shape({ id: isSessionId, ttlMs: isPositiveNumber }),
});

/** Deletes every session. */
export const SESSION_CLEAR = defineTopic<Record<string, never>, null>('nest-hive:session:clear', {
  validate: isNothing,
});

/** Counts the sessions. */
export const SESSION_LENGTH = defineTopic<Record<string, never>, number>('nest-hive:session:length', {
  validate: isNothing,
  validateReply: isFiniteNumber,
});

/** Checks that the primary's store can write (a file store fails while its disk refuses writes). */
export const SESSION_PING = defineTopic<Record<string, never>, null>('nest-hive:session:ping', {
  validate: isNothing,
});

/** The most ids one cache message carries (a longer list goes in several). */
export const MAX_CACHE_IDS = 5_000;

/** A lease length within {@link CACHE_LEASE_BOUNDS}. */
export const isLeaseMs = (value: unknown): value is number =>
  isFiniteNumber(value) && value >= CACHE_LEASE_BOUNDS.min && value <= CACHE_LEASE_BOUNDS.max;
/** Session ids, at most {@link MAX_CACHE_IDS}. */
export const isIdList = (value: unknown): value is string[] =>
  arrayOf(isSessionId)(value) && value.length <= MAX_CACHE_IDS;

/**
 * A worker's read cache asks for (or renews) its lease, handing back the ids it no longer holds.
 * While the lease runs, the primary waits for the worker's acknowledgement (or the lease's end)
 * before it acknowledges a write of a session the worker read.
 */
export const SESSION_CACHE_LEASE = defineTopic<{ leaseMs: number; released: string[] }, null>(
  'nest-hive:session:cache-lease',
  { validate: shape({ leaseMs: isLeaseMs, released: isIdList }) },
);

/** The primary tells a worker to drop its copies of some sessions (`all`: of every session). */
export const SESSION_CACHE_INVALIDATE = defineTopic<{ ids: string[]; all: boolean }, null>(
  'nest-hive:session:cache-invalidate',
  { validate: shape({ ids: isIdList, all: isBoolean }) },
);
