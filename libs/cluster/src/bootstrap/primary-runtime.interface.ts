import { type Observable } from 'rxjs';
import { type ClusterMode, type WorkerInfo } from '../cluster.interfaces.js';
import { type PrimaryHost } from '../extensions/primary-host.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { type ClusterRequestHandlerFn } from '../messaging/handler-registry.js';
import { type TopicLike } from '../messaging/topic.js';
import { type ClusterEvent } from '../wire/cluster-event.js';

/**
 * The primary process' runtime, for plain code in the primary (no Nest context needed): the
 * endpoint at `'primary'` and the cluster's lifecycle. It always runs under `bootstrapCluster`,
 * with or without a `primary()` factory. Get it with `getPrimaryRuntime()`, as the argument of the
 * `primary()` factory, or as `handle.runtime`.
 *
 * @example
 * ```ts
 * const runtime = getPrimaryRuntime();
 * runtime.handle(SESSION_GET, async ({ id }) => store.get(id));
 * await runtime.messaging.broadcast(CONFIG_CHANGED, { at: Date.now() });
 * ```
 */
export interface PrimaryRuntime {
  /** The primary's plain-code endpoint (`'primary'`): send, broadcast, request, handle, on. */
  readonly messaging: ClusterMessaging;
  /**
   * Lifecycle events of the cluster. A subscriber first gets the start-up events it missed (every
   * fork, online, listening and ready until `bootstrapCluster` resolved), then live ones.
   */
  readonly events$: Observable<ClusterEvent>;
  /** The live worker table, replayed to late subscribers. */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /** `'cluster'` with forked workers, `'loopback'` with `workers: 0` or before `bootstrapCluster`. */
  readonly mode: ClusterMode;

  /**
   * Registers a request handler answering `topic` for requests addressed to `'primary'`.
   * Returns a function that removes it.
   */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void;

  /**
   * Starts a library's primary side now (e.g. the cluster-shared session store of
   * `@nest-hive/session/cluster`), instead of when a worker first asks for it. Each host starts
   * once per primary; the first options win.
   */
  attachHost<Options>(host: PrimaryHost<Options>, options: Options): Promise<void>;

  /**
   * Runs `hook` when the primary shuts down, after every worker has stopped (a host closes its
   * files or connections there). Hooks run one at a time, the latest registered first.
   */
  onClose(hook: () => void | Promise<void>): void;
}
