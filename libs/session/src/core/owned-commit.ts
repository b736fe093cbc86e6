import type { SessionPatch, SessionRecord } from '../session-record.interface.js';
import type { CommittedSession } from './session-commit.js';

/** What a commit that changes a session's owner writes, and what it does once the store took it. */
export interface OwnerChange {
  /** The owner as the store holds the session, `undefined` when anonymous. */
  readonly before: string | undefined;
  /** The owner after this commit, `undefined` when anonymous. */
  readonly after: string | undefined;
  /** Epoch ms of the commit. */
  readonly now: number;
  /** The store lifetime written. */
  readonly ttl: number;
}

/**
 * Creates a session that has an owner (a login): the index entry first, then
 * the record, then the cap. An entry whose record never got written is
 * harmless: `UserSessions` checks every entry against the store.
 */
export async function createOwned(
  session: CommittedSession,
  owner: string,
  change: { readonly record: SessionRecord; readonly now: number; readonly ttl: number },
  created: () => void,
): Promise<void> {
  const { runtime, id } = session;
  await runtime.owners.claim(owner, id, session.req, change.now, change.now + change.ttl);
  await runtime.set(id, change.record, change.ttl);
  created();
  await runtime.owners.enforceCap(owner, id);
}

/**
 * Writes a request's changes that give the session another owner (a login
 * without `regenerate()`, a logout): the new owner's entry before the write,
 * the old owner's removal after it. Resolves whether the record was still
 * there (as `SessionRuntime.update`).
 */
export async function updateOwned(
  session: CommittedSession,
  change: OwnerChange,
  write: { readonly patch: () => SessionPatch; readonly record: () => SessionRecord },
): Promise<boolean> {
  const { runtime, id } = session;
  const owners = runtime.owners;
  const { before, after, now, ttl } = change;
  if (after !== undefined) await owners.claim(after, id, session.req, now, now + ttl);
  const applied = await runtime.update(id, write.patch, write.record, ttl);
  if (!applied) {
    if (after !== undefined) await owners.release(after, id);
    return false;
  }
  if (before !== undefined) await owners.release(before, id);
  if (after !== undefined) await owners.enforceCap(after, id);
  return true;
}
