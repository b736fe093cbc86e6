import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { UserSessionEntry, UserSessionIndex } from '../users/user-session-index.interface.js';
import type { RedisCommands } from './redis-commands.js';
import { ADD_ENTRY, DROP_UNCHANGED, REMOVE_ENTRIES, RENEW_ENTRY } from './redis-user-index.scripts.js';

/** What the index needs of its store: the connection, the store's command runner and key prefix. */
export interface RedisUserSessionIndexLink {
  /** The store's main connection (reads). */
  readonly client: Redis | Cluster;
  /** The store's command runner (operation timeout, ready gate, durable writes). */
  readonly commands: RedisCommands;
  /** The store's key prefix. */
  readonly prefix: string;
}

/**
 * The per-user index of a `RedisSessionStore`: one hash per user at
 * `<prefix>user:{<base64url SHA-256 of the user>}`, field = handle, value =
 * the entry as JSON. The user is hashed because user ids may hold anything
 * (`{`, `}`, spaces); the hash tag keeps every index command on one slot of a
 * Cluster (its sessions live in other slots: the index never needs a
 * multi-key command).
 *
 * The hash expires with the last of its entries (each write gives it at least
 * the entry's remaining lifetime, never less than it had), so an index never
 * outlives its sessions; entries past `expiresAt` are never listed, and a
 * listing removes them, and any value that is not an entry.
 *
 * Every write (`add`, `seen`, `remove`) goes through the store's durable
 * writes when they are on, like the session writes it follows. A lost `add` or
 * `seen` would leave a live session missing from its user's index (or leaving
 * it early), where "log out everywhere" could not reach it; a lost `remove`
 * (a revoke, a logout) would bring back an entry after a failover, which the
 * owners' check against the store then drops, yet the index should say after
 * a failover what the sessions say. The clean-up of a listing is best effort:
 * its failure leaves entries the next listing drops again.
 */
export class RedisUserSessionIndex implements UserSessionIndex {
  constructor(private readonly link: RedisUserSessionIndexLink) {}

  /** The key of `user`'s index hash. */
  keyOf(user: string): string {
    const digest = createHash('sha256').update(user, 'utf8').digest('base64url');
    return `${this.link.prefix}user:{${digest}}`;
  }

  /** @inheritdoc */
  async add(user: string, entry: UserSessionEntry): Promise<void> {
    const { handle, sessionId, createdAt, lastSeenAt, expiresAt, userAgent } = entry;
    checkTimes({ createdAt, lastSeenAt, expiresAt });
    const value = JSON.stringify({ handle, sessionId, createdAt, lastSeenAt, expiresAt, userAgent });
    const args = [handle, value, remainingMs(expiresAt)];
    await this.link.commands.runScript(ADD_ENTRY, this.keyOf(user), args);
  }

  /** @inheritdoc */
  async list(user: string): Promise<UserSessionEntry[]> {
    const key = this.keyOf(user);
    const client = this.link.client;
    const fields = await this.link.commands.run(() => client.hgetall(key));
    const now = Date.now();
    const live: UserSessionEntry[] = [];
    const dropped: string[] = [];
    for (const [handle, value] of Object.entries(fields)) {
      const entry = parseEntry(handle, value);
      if (entry && entry.expiresAt > now) live.push(entry);
      else dropped.push(handle, value);
    }
    if (dropped.length > 0) {
      await this.link.commands.runScript(DROP_UNCHANGED, key, dropped).catch(() => undefined);
    }
    return live;
  }

  /** @inheritdoc */
  async remove(user: string, handles: readonly string[]): Promise<void> {
    if (handles.length === 0) return;
    await this.link.commands.runScript(REMOVE_ENTRIES, this.keyOf(user), handles);
  }

  /** @inheritdoc */
  async seen(user: string, handle: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    checkTimes({ lastSeenAt, expiresAt });
    const args = [handle, String(lastSeenAt), String(expiresAt), remainingMs(expiresAt)];
    await this.link.commands.runScript(RENEW_ENTRY, this.keyOf(user), args);
  }
}

/** Refuses times that Lua's `tonumber` and JSON cannot carry (`NaN`, `Infinity`). */
function checkTimes(times: Record<string, number>): void {
  for (const [name, value] of Object.entries(times)) {
    if (!Number.isFinite(value)) {
      throw new TypeError(`User session index: ${name} must be a finite epoch ms; got ${value}.`);
    }
  }
}

/** Whole milliseconds from now until `expiresAt` (≤ 0 once past), as a script argument. */
function remainingMs(expiresAt: number): string {
  return String(Math.ceil(expiresAt - Date.now()));
}

/** The entry stored under `handle`, or `undefined` when `value` is not one (never throws). */
function parseEntry(handle: string, value: string): UserSessionEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  const { sessionId, createdAt, lastSeenAt, expiresAt, userAgent } = fields;
  if (fields.handle !== handle || typeof sessionId !== 'string' || sessionId === '') return undefined;
  if (!isTime(createdAt) || !isTime(lastSeenAt) || !isTime(expiresAt)) return undefined;
  if (typeof userAgent !== 'string') return undefined;
  return { handle, sessionId, createdAt, lastSeenAt, expiresAt, userAgent };
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
