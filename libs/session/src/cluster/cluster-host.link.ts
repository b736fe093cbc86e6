import { type ClusterMessaging, type ClusterTopic } from '@nest-hive/cluster';
import { startPrimaryHost } from '@nest-hive/cluster/extensions';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';
import { clusterSessionHost } from './cluster-session.host.js';

/** What a {@link ClusterHostLink} needs. */
export interface ClusterHostLinkOptions {
  /** This worker's IPC endpoint. */
  readonly messaging: ClusterMessaging;
  /** Longest wait (ms) for the primary to answer one call (starting the host included). */
  readonly timeoutMs: number;
  /** Settings of the primary's memory store, sent with the request that starts the host. */
  readonly memoryStore: MemorySessionStoreOptions | undefined;
}

/**
 * A worker's line to the primary's session host, shared by `ClusterSessionStore`
 * and its `userIndex`: every request first makes sure the primary runs
 * `clusterSessionHost` (started once; asked again after a failure), then goes
 * to the primary with the configured timeout.
 */
export class ClusterHostLink {
  private attaching: Promise<void> | undefined;

  /** @param options - the endpoint, the timeout and the host's settings. */
  constructor(private readonly options: ClusterHostLinkOptions) {}

  /** Sends one request to the primary's host, once the host runs; resolves its (validated) reply. */
  async request<Payload, Reply>(topic: ClusterTopic<Payload, Reply>, payload: Payload): Promise<Reply> {
    await this.attached();
    const { messaging, timeoutMs } = this.options;
    return messaging.request(topic, payload, { to: 'primary', timeoutMs });
  }

  /** Makes sure the primary hosts the store; retried after a failure. */
  private attached(): Promise<void> {
    const { messaging, timeoutMs, memoryStore } = this.options;
    this.attaching ??= startPrimaryHost(messaging, clusterSessionHost, { memoryStore }, timeoutMs).catch(
      (error: unknown) => {
        this.attaching = undefined;
        throw error;
      },
    );
    return this.attaching;
  }
}
