import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { requestSessionOf } from '../core/request-session.lookup.js';
import { SessionRuntime } from '../core/session-runtime.js';
import type { SessionOwners } from '../core/session-owners.js';
import { sessionHandle } from './session-handle.js';
import type { UserSessionEntry } from './user-session-index.interface.js';
import { UserSessionsUnavailableError } from './user-sessions.errors.js';

/** One of a user's sessions, as users and admin tools see it. */
export interface UserSessionInfo {
  /** Opaque name of the session, to revoke it: never its id, never usable as a cookie. */
  handle: string;
  /** Whether it is the session of the request that asked. */
  current: boolean;
  /** Epoch ms of the login. */
  createdAt: number;
  /** Epoch ms of the last request that renewed it (at `touchAfter` granularity). */
  lastSeenAt: number;
  /** `User-Agent` of the login request, `''` when none. */
  userAgent: string;
}

/** The logged-in user of a request, and the handle of its session. */
interface RequestOwner {
  readonly owner: string;
  readonly handle: string;
}

/**
 * A user's sessions: list them (the devices they are logged in on) and end
 * them, one, all but the current, or all. Revocation destroys the session in
 * the store, so the next request with its cookie, on any worker and any
 * machine, starts anonymous; sockets opened with it are closed (see
 * `SessionSockets`).
 *
 * The request methods act for the user logged in on that request (its saved
 * session); the `…Of` methods act for any user, for admin tools and password
 * resets.
 *
 * @example
 * ```ts
 * @Get('sessions')
 * async list(@Req() req: Request) {
 *   const sessions = await this.userSessions.list(req);
 *   if (!sessions) throw new UnauthorizedException();
 *   return { sessions };
 * }
 * ```
 */
@Injectable()
export class UserSessions {
  /** @param runtime - the module's runtime. */
  constructor(private readonly runtime: SessionRuntime) {}

  /** Handles of the sessions that end in this process (destroyed, regenerated, revoked). */
  get ended$(): Observable<string> {
    return this.runtime.owners.ended$;
  }

  /**
   * The sessions of the request's user, the current one marked, most recently
   * seen first; `undefined` when the request's session has no user.
   */
  async list(req: unknown): Promise<UserSessionInfo[] | undefined> {
    const mine = await this.requestOwner(req);
    if (!mine) return undefined;
    return describe(await this.owners().list(mine.owner), mine.handle);
  }

  /** Ends one session of the request's user; `false` when the handle names none of theirs. */
  async revoke(req: unknown, handle: string): Promise<boolean> {
    const mine = await this.requestOwner(req);
    return mine ? this.revokeOf(mine.owner, handle) : false;
  }

  /** Ends every session of the request's user but the request's own; resolves how many ended. */
  async revokeOthers(req: unknown): Promise<number> {
    const mine = await this.requestOwner(req);
    if (!mine) return 0;
    const owners = this.owners();
    const others = (await owners.list(mine.owner)).filter((entry) => entry.handle !== mine.handle);
    return owners.revoke(mine.owner, others);
  }

  /** The sessions of `user` (as `users.userOf` names users), most recently seen first. */
  async listOf(user: string | number): Promise<UserSessionInfo[]> {
    return describe(await this.owners().list(String(user)), undefined);
  }

  /** Ends one session of `user`; `false` when the handle names none of theirs. */
  async revokeOf(user: string | number, handle: string): Promise<boolean> {
    const owner = String(user);
    const owners = this.owners();
    const entry = (await owners.list(owner)).find((candidate) => candidate.handle === handle);
    if (!entry) return false;
    await owners.revoke(owner, [entry]);
    return true;
  }

  /** Ends every session of `user` (a password reset, an admin's lock); resolves how many ended. */
  async revokeAll(user: string | number): Promise<number> {
    const owner = String(user);
    const owners = this.owners();
    return owners.revoke(owner, await owners.list(owner));
  }

  private async requestOwner(req: unknown): Promise<RequestOwner | undefined> {
    const owners = this.owners();
    const session = requestSessionOf(req);
    await session.load(req);
    if (session.isNew) return undefined;
    const owner = owners.ownerOf(session.snapshot);
    return owner === undefined ? undefined : { owner, handle: sessionHandle(session.id) };
  }

  private owners(): SessionOwners {
    const owners = this.runtime.owners;
    if (!owners.active) throw new UserSessionsUnavailableError();
    return owners;
  }
}

function describe(entries: readonly UserSessionEntry[], current: string | undefined): UserSessionInfo[] {
  return entries
    .map((entry) => ({
      handle: entry.handle,
      current: entry.handle === current,
      createdAt: entry.createdAt,
      lastSeenAt: entry.lastSeenAt,
      userAgent: entry.userAgent,
    }))
    .sort((a, b) => b.lastSeenAt - a.lastSeenAt || b.createdAt - a.createdAt);
}
