import type { Session } from '../session.interfaces.js';
import type { StoredSessionRecord } from '../session-record.interface.js';
import { newSessionId, type CommittedSession } from './session-commit.js';
import { cookieOwedAfterEnd, cookieOwedAfterReloadMiss } from './session-cookie-obligation.js';
import { checkedSessionId } from './session-id.js';

/** A session being loaded, with the steps only its coordinator can take. */
export interface LoadingSession extends CommittedSession {
  /** Finishes a load: publishes the session and returns the object handlers get. */
  loaded(): Session;
  /** Publishes the current data object on `req.session` (a new object after a renewal). */
  publishView(): void;
}

/** Reads the request's cookie: the session id it names if it is valid (a rejected one is logged). */
export function readCookieId(session: CommittedSession): string | undefined {
  const runtime = session.runtime;
  const reading = runtime.codec.read(session.req.headers.cookie);
  session.clientSentCookie = reading.kind !== 'absent';
  if (reading.kind === 'rejected') runtime.log.noteRejectedCookie(reading.reason);
  return reading.kind === 'valid' ? reading.id : undefined;
}

/** Takes over a stored record if it is alive; one past the absolute timeout is destroyed. */
export function adoptIfAlive(session: CommittedSession, id: string, record: StoredSessionRecord): boolean {
  const runtime = session.runtime;
  const standing = runtime.lifetime.standing(record, Date.now());
  if (standing === 'alive') {
    session.adoptRecord(id, record);
    return true;
  }
  if (standing === 'timed-out') runtime.destroyInBackground(id);
  return false;
}

/**
 * Loads the session the cookie names, or starts a new one: reads the store
 * only for a valid cookie, and waits only for a store or `genid` that makes
 * it (at once with a store that answers at once and a `genid` that returns a
 * string).
 */
export function loadSession(session: LoadingSession): Session | Promise<Session> {
  const id = readCookieId(session);
  if (id === undefined) return startNew(session);
  const record = session.runtime.get(id);
  if (record instanceof Promise) return record.then((stored) => loadRead(session, id, stored));
  return loadRead(session, id, record);
}

function loadRead(
  session: LoadingSession,
  id: string,
  record: StoredSessionRecord | undefined,
): Session | Promise<Session> {
  return record && adoptIfAlive(session, id, record) ? session.loaded() : startNew(session);
}

/** Starts a new session: at once when `genid` returns a string. */
function startNew(session: LoadingSession): Session | Promise<Session> {
  const id = session.runtime.config.genid(session.req);
  if (typeof id === 'string') return startedNew(session, id);
  return Promise.resolve(id).then((made) => startedNew(session, made));
}

function startedNew(session: LoadingSession, id: unknown): Session {
  session.becomeNew(checkedSessionId(id));
  return session.loaded();
}

/** Ends the current session (`regenerate()`, `destroy()`) and starts a new, unsaved one. */
export async function renewSession(session: LoadingSession, keepData: boolean): Promise<void> {
  const id = await newSessionId(session);
  if (!session.isNew) await endStored(session);
  session.replaceData(keepData);
  session.publishView();
  session.becomeNew(id);
  session.cookieOwed = cookieOwedAfterEnd(session);
  session.maxAgeChanged = false;
}

/** Destroys the stored session, takes it out of its owner's index, and announces its end. */
async function endStored(session: LoadingSession): Promise<void> {
  const { runtime, id } = session;
  const owners = runtime.owners;
  const owner = owners.ownerOf(session.snapshot);
  await runtime.destroy(id);
  if (owner !== undefined) await owners.release(owner, id);
  owners.ended(id);
}

/** Reads the session from the store again (`reload()`); one that ended meanwhile becomes a new one. */
export async function reloadSession(session: LoadingSession): Promise<void> {
  const record = session.isNew ? undefined : await session.runtime.get(session.id);
  session.clearData();
  session.maxAgeChanged = false;
  if (record && adoptIfAlive(session, session.id, record)) return;
  if (!session.isNew) {
    session.becomeNew(await newSessionId(session));
    session.cookieOwed = cookieOwedAfterReloadMiss(session);
  }
}
