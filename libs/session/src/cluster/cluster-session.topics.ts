import { defineTopic } from '@nest-hive/cluster';
import { SESSION_ID_PATTERN } from '../session.constants.js';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';

/** The package specifier the primary loads to host the shared store. */
export const CLUSTER_SESSION_EXTENSION = '@nest-hive/session/cluster';

/** Options the first worker hands to the primary's store. */
export interface ClusterSessionHostOptions {
  memoryStore?: MemorySessionStoreOptions;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && SESSION_ID_PATTERN.test(value);
const isTtl = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;
const hasId = (value: unknown): value is { id: string } => isObject(value) && isId(value.id);
const isCookie = (value: unknown): boolean =>
  value === undefined ||
  (isObject(value) &&
    (value.maxAge === undefined || value.maxAge === null || typeof value.maxAge === 'number'));
const isRecord = (value: unknown): value is SessionRecord =>
  isObject(value) && isObject(value.data) && typeof value.createdAt === 'number' && isCookie(value.cookie);

/** Reads one session. */
export const SESSION_GET = defineTopic<{ id: string }, StoredSessionRecord | null>('nest-hive:session:get', {
  validate: hasId,
  validateReply: (reply): reply is StoredSessionRecord | null =>
    reply === null || (isRecord(reply) && typeof (reply as { expiresAt?: unknown }).expiresAt === 'number'),
});

/** Creates or replaces one session. */
export const SESSION_SET = defineTopic<{ id: string; record: SessionRecord; ttlMs: number }, null>(
  'nest-hive:session:set',
  {
    validate: (p): p is { id: string; record: SessionRecord; ttlMs: number } =>
      hasId(p) && isRecord((p as { record?: unknown }).record) && isTtl((p as { ttlMs?: unknown }).ttlMs),
  },
);

/** Applies one request's per-key changes. */
export const SESSION_PATCH = defineTopic<{ id: string; patch: SessionPatch; ttlMs: number }, boolean>(
  'nest-hive:session:patch',
  {
    validate: (p): p is { id: string; patch: SessionPatch; ttlMs: number } => {
      if (!hasId(p) || !isTtl((p as { ttlMs?: unknown }).ttlMs)) return false;
      const patch = (p as { patch?: unknown }).patch;
      return (
        isObject(patch) &&
        isObject(patch.set) &&
        Array.isArray(patch.unset) &&
        patch.unset.every((key) => typeof key === 'string') &&
        isCookie(patch.cookie)
      );
    },
    validateReply: (reply): reply is boolean => typeof reply === 'boolean',
  },
);

/** Deletes one session. */
export const SESSION_DESTROY = defineTopic<{ id: string }, null>('nest-hive:session:destroy', {
  validate: hasId,
});

/** Extends one session's lifetime. */
export const SESSION_TOUCH = defineTopic<{ id: string; ttlMs: number }, null>('nest-hive:session:touch', {
  validate: (p): p is { id: string; ttlMs: number } => hasId(p) && isTtl((p as { ttlMs?: unknown }).ttlMs),
});

/** Deletes every session. */
export const SESSION_CLEAR = defineTopic<Record<string, never>, null>('nest-hive:session:clear');

/** Counts the sessions. */
export const SESSION_LENGTH = defineTopic<Record<string, never>, number>('nest-hive:session:length', {
  validateReply: (reply): reply is number => typeof reply === 'number',
});
