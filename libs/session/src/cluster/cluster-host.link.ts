import { type ClusterMessaging, type ClusterTopic } from '@nest-hive/cluster';
import { startPrimaryHost } from '@nest-hive/cluster/extensions';
import { type ClusterSessionHostOptions, clusterSessionHost } from './cluster-session.host.js';

/** The longest wait for the primary to start its store (it replays the session file first). */
const START_TIMEOUT_MS = 60_000;

/** What a {@link ClusterHostLink} needs. */
export interface ClusterHostLinkOptions {
  /** This worker's IPC endpoint. */
  readonly messaging: ClusterMessaging;
  /** Longest wait (ms) for the primary to answer one call. */
  readonly timeoutMs: number;
  /** Settings of the primary's store, sent with the request that starts the host. */
  readonly host: ClusterSessionHostOptions;
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

  /** Makes sure the primary hosts the store (it opens its file, if any); retried after a failure. */
  attached(): Promise<void> {
    const { messaging, timeoutMs, host } = this.options;
    this.attaching ??= startPrimaryHost(
      messaging,
      clusterSessionHost,
      host,
      Math.max(timeoutMs, START_TIMEOUT_MS),
    ).catch((error: unknown) => {
      this.attaching = undefined;
      throw error;
    });
    return this.attaching;
  }
}
