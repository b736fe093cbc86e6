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
 * Creates a session that has an owner (a login): the record, then its index
 * entry, then the cap. The entry comes second so that a listing never finds
 * an entry whose record is still on its way (it would drop it as stale, and
 * the session would then live on outside the index); a session whose entry
 * could not be written is destroyed, and the request fails.
 */
export async function createOwned(
  session: CommittedSession,
  owner: string,
  change: { readonly record: SessionRecord; readonly now: number; readonly ttl: number },
  created: () => void,
): Promise<void> {
  const { runtime, id } = session;
  await runtime.set(id, change.record, change.ttl);
  await claimOrEnd(session, owner, change.now, change.now + change.ttl);
  created();
  await runtime.owners.enforceCap(owner, id);
}

/**
 * Writes a request's changes that give the session another owner (a login
 * without `regenerate()`, a logout): the write, then the new owner's entry
 * (as {@link createOwned}) and the old owner's removal. Resolves whether the
 * record was still there (as `SessionRuntime.update`).
 */
export async function updateOwned(
  session: CommittedSession,
  change: OwnerChange,
  write: { readonly patch: () => SessionPatch; readonly record: () => SessionRecord },
): Promise<boolean> {
  const { runtime, id } = session;
  const owners = runtime.owners;
  const { before, after, now, ttl } = change;
  if (!(await runtime.update(id, write.patch, write.record, ttl))) return false;
  if (after !== undefined) await claimOrEnd(session, after, now, now + ttl);
  if (before !== undefined) await owners.release(before, id);
  if (after !== undefined) await owners.enforceCap(after, id);
  return true;
}

/** Adds the session's entry; when that fails, the session (out of reach of revocation) is destroyed. */
async function claimOrEnd(
  session: CommittedSession,
  owner: string,
  now: number,
  expiresAt: number,
): Promise<void> {
  const { runtime, id } = session;
  try {
    await runtime.owners.claim(owner, id, session.req, now, expiresAt);
  } catch (error) {
    await runtime.destroy(id).catch(() => undefined);
    throw error;
  }
}
