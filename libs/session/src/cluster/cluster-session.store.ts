import { type ClusterMessaging } from '@nest-hive/cluster';
import { getProcessMessaging, startPrimaryHost } from '@nest-hive/cluster/extensions';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';
import { clusterSessionHost } from './cluster-session.host.js';
import {
  SESSION_CLEAR,
  SESSION_DESTROY,
  SESSION_GET,
  SESSION_LENGTH,
  SESSION_PATCH,
  SESSION_SET,
  SESSION_TOUCH,
} from './cluster-session.topics.js';

/** Options of {@link ClusterSessionStore}. */
export interface ClusterSessionStoreOptions {
  /** The IPC endpoint to use. Default: this worker's, from `bootstrapCluster`. */
  messaging?: ClusterMessaging;
  /**
   * Longest wait (ms) for the primary to answer one call. A call that takes
   * longer (primary busy, channel closed) fails, and the request gets a 503.
   * Default `2000`.
   */
  timeoutMs?: number;
  /** Settings of the primary's memory store; the first worker to connect sets them. */
  memoryStore?: MemorySessionStoreOptions;
}

/**
 * One session store for every worker of a cluster, held by the primary and
 * reached over `@nest-hive/cluster` request/reply. No external server is
 * needed: a session written through one worker is read through any other,
 * and survives worker crashes and rolling restarts. Sessions end when the
 * primary stops.
 *
 * `SessionModule` picks it by itself under `bootstrapCluster` when no store
 * is given. The primary needs no code: the first call asks it to start the
 * host side, `clusterSessionHost`.
 *
 * @example
 * ```ts
 * import { ClusterSessionStore } from '@nest-hive/session/cluster';
 * SessionModule.forRoot({ secret, store: new ClusterSessionStore({ timeoutMs: 1000 }) });
 * ```
 */
export class ClusterSessionStore implements SessionStore {
  private readonly messaging: ClusterMessaging;
  private readonly timeoutMs: number;
  private attaching: Promise<void> | undefined;

  constructor(private readonly options: ClusterSessionStoreOptions = {}) {
    const messaging = options.messaging ?? getProcessMessaging();
    if (!messaging) {
      throw new TypeError(
        'ClusterSessionStore needs a process started by bootstrapCluster() from @nest-hive/cluster; ' +
          'in a single process use MemorySessionStore.',
      );
    }
    this.messaging = messaging;
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    await this.attached();
    return (await this.messaging.request(SESSION_GET, { id }, this.to())) ?? undefined;
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.attached();
    await this.messaging.request(SESSION_SET, { id, record, ttlMs }, this.to());
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    await this.attached();
    return this.messaging.request(SESSION_PATCH, { id, patch, ttlMs }, this.to());
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    await this.attached();
    await this.messaging.request(SESSION_DESTROY, { id }, this.to());
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    await this.attached();
    await this.messaging.request(SESSION_TOUCH, { id, ttlMs }, this.to());
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    await this.attached();
    await this.messaging.request(SESSION_CLEAR, {}, this.to());
  }

  /** @inheritdoc */
  async length(): Promise<number> {
    await this.attached();
    return this.messaging.request(SESSION_LENGTH, {}, this.to());
  }

  private to(): { to: 'primary'; timeoutMs: number } {
    return { to: 'primary', timeoutMs: this.timeoutMs };
  }

  /** Makes sure the primary hosts the store; retried after a failure. */
  private attached(): Promise<void> {
    this.attaching ??= startPrimaryHost(
      this.messaging,
      clusterSessionHost,
      { memoryStore: this.options.memoryStore },
      this.timeoutMs,
    ).catch((error: unknown) => {
      this.attaching = undefined;
      throw error;
    });
    return this.attaching;
  }
}
