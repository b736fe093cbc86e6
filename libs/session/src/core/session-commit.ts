import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionTooLargeError } from '../session.errors.js';
import type { SessionPatch, SessionRecord } from '../session-record.interface.js';
import {
  diffEntries,
  entriesDiffer,
  materialize,
  serializedSize,
  serializeEntries,
  type SerializedEntries,
} from './session-data-diff.js';
import type { CommitParticipant } from './response-commit-gate.js';
import type { SessionChannel } from './session-channel.js';
import { cookieOwedAfterEnd, writeOwedCookie } from './session-cookie-obligation.js';
import { checkedSessionId } from './session-id.js';
import type { SessionRuntime } from './session-runtime.js';
import type { SessionState } from './session-state.js';
import type { HeaderTarget } from './set-cookie-header.js';
import { createOwned, updateOwned } from './owned-commit.js';

/** The store work one commit needs. */
export type StoreWork =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly entries: SerializedEntries }
  | { readonly kind: 'update'; readonly entries: SerializedEntries }
  | { readonly kind: 'touch' };

/** No store work. */
export const NO_WORK: StoreWork = { kind: 'none' };
/** A touch: only the lifetime of the record is extended. */
export const TOUCH_WORK: StoreWork = { kind: 'touch' };

/** The session a commit writes: its state, the request it belongs to, and the gate's participant. */
export interface CommittedSession extends SessionState, CommitParticipant {
  /** The module's runtime. */
  readonly runtime: SessionRuntime;
  /** The Node request (its cookie, `genid`'s argument). */
  readonly req: IncomingMessage;
  /** Its response. */
  readonly res: ServerResponse;
  /** What the client can receive. */
  readonly channel: SessionChannel;
}

/** A fresh id from `genid`, checked. */
export async function newSessionId(session: CommittedSession): Promise<string> {
  return checkedSessionId(await session.runtime.config.genid(session.req));
}

/** Whether an unchanged saved session is due a touch now. */
export function touchIsDue(session: CommittedSession): boolean {
  return session.runtime.lifetime.touchIsDue(
    session.createdAt,
    session.expiresAt,
    session.storedMaxAge,
    Date.now(),
  );
}

/**
 * Holds the response for the commit from now on (through the channel). Only
 * a session that may have to be written needs it: one whose data was set,
 * deleted or handed out as an object, whose API was called, or that is owed
 * a touch or a rolling cookie. A request that only reads plain values leaves
 * its response alone.
 */
export function watchResponse(session: CommittedSession): void {
  if (session.commitPhase !== 'idle') return;
  session.commitPhase = 'watching';
  session.channel.holdResponse(session.res, session);
}

/** The session may change from now on: a commit made for the head no longer covers it. */
export function noteMayChange(session: CommittedSession): void {
  if (session.commitPhase === 'headCommitted') session.commitPhase = 'watching';
  else watchResponse(session);
}

/** `CommitParticipant.beforeHeaders`: the head's commit, unless it ran already or a commit failed. */
export function commitBeforeHeaders(session: CommittedSession): Promise<void> | undefined {
  const phase = session.commitPhase;
  return phase === 'headCommitted' || phase === 'gaveUp' ? undefined : commitHead(session, session.res);
}

/**
 * Commits what the response's head needs (the store write, then the
 * Set-Cookie through `target`) before a framework sends a reply's head
 * itself: Fastify's `onSend`, for replies sent with `reply.send()`. Then the
 * response hook lets the head through as it is, unless the session changes
 * again before it goes. `undefined` when nothing is owed or the head is gone.
 */
export function commitForReply(session: CommittedSession, target: HeaderTarget): Promise<void> | undefined {
  if (session.commitPhase !== 'watching' || session.res.headersSent) return undefined;
  session.commitPhase = 'headCommitted';
  try {
    return commitHead(session, target);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `CommitParticipant.commitFailed`: the client gets the error response, and nothing more is committed. */
export function giveUpCommit(session: CommittedSession, error: unknown): void {
  session.commitPhase = 'gaveUp';
  session.runtime.log.reportCommitFailure(error);
}

/**
 * `CommitParticipant.beforeEnd`: the data only (a touch can wait, a cookie
 * can no longer be sent: a new session saved now is logged). Skipped when a
 * commit failed, or when the head's commit covers it: nothing set since, and
 * no object out that could have changed unseen. `undefined` when done at once.
 */
export function commitBeforeEnd(session: CommittedSession): Promise<void> | undefined {
  const phase = session.commitPhase;
  if (phase === 'gaveUp' || (phase === 'headCommitted' && !session.handedOut)) return undefined;
  const work = planCommit(session);
  if (work.kind === 'none' || work.kind === 'touch') return undefined;
  const wasNew = session.isNew;
  const warn = (): void => {
    if (wasNew) session.runtime.log.warnLateNewSession();
  };
  const done = performCommit(session, work);
  if (done) return done.then(warn);
  warn();
  return undefined;
}

/**
 * Decides what the store needs, from what changed since the last save. A new
 * session whose channel cannot create sessions (a WebSocket handshake's, once
 * destroyed) stays unsaved: no client could ever present its id.
 */
export function planCommit(session: CommittedSession): StoreWork {
  if (session.isNew && !session.channel.createsSessions) return NO_WORK;
  const entries = serializeEntries(session.data);
  if (session.isNew) {
    return entries.size > 0 || session.maxAgeChanged ? { kind: 'create', entries } : NO_WORK;
  }
  if (session.maxAgeChanged || entriesDiffer(session.snapshot, entries)) return { kind: 'update', entries };
  return touchIsDue(session) ? TOUCH_WORK : NO_WORK;
}

/**
 * The commit before the response's head: the store work, then the Set-Cookie
 * owed, through `target`. `undefined` when it was all done at once.
 */
function commitHead(session: CommittedSession, target: HeaderTarget): Promise<void> | undefined {
  const work = planCommit(session);
  const done = work.kind === 'none' ? undefined : performCommit(session, work);
  if (done) return done.then(() => writeOwedCookie(session, session.runtime, session.req, target));
  writeOwedCookie(session, session.runtime, session.req, target);
  return undefined;
}

/**
 * Does the store work and notes it in the session's state; `undefined` when
 * it was done at once (a store that answers at once), else a promise of it.
 *
 * @throws SessionTooLargeError, or the store's error when it fails at once.
 */
export function performCommit(session: CommittedSession, work: StoreWork): Promise<void> | undefined {
  const runtime = session.runtime;
  const lifetime = runtime.lifetime;
  const now = Date.now();
  if (work.kind === 'none') return undefined;
  if (work.kind === 'touch') {
    const ttl = lifetime.ttl(session.createdAt, session.storedMaxAge, now);
    return afterStore(
      runtime.touch(session.id, ttl, () => session.record(materialize(session.snapshot))),
      () => {
        session.expiresAt = now + ttl;
        const owner = runtime.owners.ownerOf(session.snapshot);
        if (owner !== undefined) runtime.owners.renewInBackground(owner, session.id, now, now + ttl);
      },
    );
  }
  const bytes = serializedSize(work.entries);
  if (bytes > runtime.config.maxSessionBytes)
    throw new SessionTooLargeError(bytes, runtime.config.maxSessionBytes);
  if (work.kind === 'create') {
    session.createdAt = now;
    const ttl = lifetime.ttl(session.createdAt, session.storedMaxAge, now);
    const record = session.record(materialize(work.entries));
    const created = (): void => {
      session.isNew = false;
      session.expiresAt = now + ttl;
      session.cookieOwed = 'set';
      session.saved(work.entries);
    };
    const owner = runtime.owners.ownerOf(work.entries);
    if (owner !== undefined) return createOwned(session, owner, { record, now, ttl }, created);
    return afterStore(runtime.set(session.id, record, ttl), created);
  }
  const cookie = session.maxAgeChanged ? { maxAge: session.storedMaxAge ?? null } : undefined;
  const ttl = lifetime.ttl(session.createdAt, session.storedMaxAge, now);
  const stored = session.snapshot;
  const patch = (): SessionPatch => ({ ...diffEntries(stored, work.entries), ...(cookie && { cookie }) });
  const record = (): SessionRecord => session.record(materialize(work.entries));
  const owners = runtime.owners;
  const before = owners.ownerOf(stored);
  const after = owners.ownerOf(work.entries);
  // Every write renews the session, so its index entry is renewed too (throttled: see renewInBackground).
  const seen = before !== undefined && before === after;
  const written =
    before === after
      ? runtime.update(session.id, patch, record, ttl)
      : updateOwned(session, { before, after, now, ttl }, { patch, record });
  return afterStore(written, (applied) => {
    if (!applied) return endedElsewhere(session);
    session.expiresAt = now + ttl;
    if (session.maxAgeChanged || runtime.config.rolling) session.cookieOwed = 'set';
    session.saved(work.entries);
    if (seen) owners.renewInBackground(before, session.id, now, now + ttl);
    return undefined;
  });
}

/** Session API `save()`: commits now (logging a new session whose cookie can no longer be sent). */
export async function saveSession(session: CommittedSession): Promise<void> {
  const work = planCommit(session);
  if (work.kind !== 'none') await performCommit(session, work);
  if (session.res.headersSent && session.cookieOwed === 'set') session.runtime.log.warnLateNewSession();
}

/** Session API `touch()`: extends a saved session's lifetime now (a rolling session's cookie is then owed). */
export async function touchSession(session: CommittedSession): Promise<void> {
  if (session.isNew) return;
  await performCommit(session, TOUCH_WORK);
  if (session.runtime.config.rolling) session.cookieOwed = 'set';
}

/** Another request destroyed or expired the session while this one changed it: its changes are dropped. */
async function endedElsewhere(session: CommittedSession): Promise<void> {
  session.runtime.log.warnEndedElsewhere();
  session.becomeNew(await newSessionId(session));
  session.clearData();
  session.cookieOwed = cookieOwedAfterEnd(session);
}

/**
 * Runs `next` on what a store call gave: at once when it answered at once
 * (then `undefined` unless `next` returns a promise), else when its promise
 * settles.
 */
function afterStore<T>(
  result: T | Promise<T>,
  next: (value: T) => Promise<void> | undefined | void,
): Promise<void> | undefined {
  if (result instanceof Promise) return result.then(next);
  return next(result) ?? undefined;
}
