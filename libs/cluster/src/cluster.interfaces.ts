/**
 * Public data shapes of `@nest-hive/cluster` messaging.
 *
 * @packageDocumentation
 */

/** Who a message goes to or comes from: `'primary'` or a worker id (`cluster.worker.id`). */
export type Address = 'primary' | number;

/** How this process was started. `'loopback'` means `workers: 0` or no `bootstrapCluster` at all. */
export type ClusterMode = 'cluster' | 'loopback';

/**
 * Identity of a `ClusterService`: the primary (its optional Nest context and plain code there)
 * or one worker. With `workers: 0` the in-process worker app is worker `0`, slot `0`.
 */
export type ClusterSelf =
  | {
      readonly isPrimary: true;
      readonly workerId: null;
      readonly slot: null;
      readonly pid: number;
      readonly mode: ClusterMode;
    }
  | {
      readonly isPrimary: false;
      readonly workerId: number;
      readonly slot: number;
      readonly pid: number;
      readonly mode: ClusterMode;
    };

/** The kinds of data messages that reach `messages$`. */
export type ClusterMessageKind = 'message' | 'broadcast' | 'request';

/** A message of this module that reached this process (see `ClusterService.messages$`). */
export interface ClusterMessage {
  /** How it was sent: `send()`, `broadcast()` or `request()`. */
  readonly kind: ClusterMessageKind;
  /** The topic name. */
  readonly topic: string;
  /** The sender. */
  readonly from: Address;
  /** Correlation id (unique per sending process). */
  readonly id: string;
  /** The payload, validated if the topic has a validator. */
  readonly payload: unknown;
}

/** Context passed to handlers as their second argument. */
export interface ClusterMessageContext {
  /** How it was sent. */
  readonly kind: ClusterMessageKind;
  /** The topic name. */
  readonly topic: string;
  /** The sender. */
  readonly from: Address;
  /** Correlation id. */
  readonly id: string;
}

/** A message of one topic with its context, as emitted by `onMessage()`. */
export interface ClusterTopicMessage<Payload> {
  /** The (validated) payload. */
  readonly payload: Payload;
  /** Who sent it and how. */
  readonly context: ClusterMessageContext;
}

/** Options of `send()`. */
export interface SendOptions {
  /** Target: a worker id or `'primary'` (default `'primary'`). */
  readonly to?: Address;
}

/** Options of `broadcast()`. */
export interface BroadcastOptions {
  /** Also deliver to the sender itself (default `false`). */
  readonly includeSelf?: boolean;
}

/** Options of `request()` / `request$()`. */
export interface RequestOptions {
  /** Target: a worker id or `'primary'` (default `'primary'`). */
  readonly to?: Address;
  /** Reject with `ClusterTimeoutError` after this many ms (default 5000, or the module's `requestTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** Lifecycle state of a worker in the worker table. */
export type WorkerState = 'starting' | 'ready' | 'stopping';

/** One row of the live worker table. */
export interface WorkerInfo {
  /** `cluster.worker.id`: rises with every fork. */
  readonly id: number;
  /** Stable slot `0..N-1`; a replacement inherits it. */
  readonly slot: number;
  /** Process id. */
  readonly pid: number;
  /** Where the worker is in its life. */
  readonly state: WorkerState;
  /** When it was forked (epoch ms). */
  readonly startedAt: number;
  /** When it became ready (epoch ms), or `null`. */
  readonly readyAt: number | null;
}

/** The worker table as answered by `ClusterService.workers()`. */
export interface WorkersSnapshot {
  /** The primary process. */
  readonly primary: { readonly pid: number };
  /** The live workers, ordered by slot then id. */
  readonly workers: readonly WorkerInfo[];
  /**
   * Workers the cluster should run: `workers` of `bootstrapCluster` (1 for `workers: 0`), then
   * what `scale()` (or `SIGTTIN` / `SIGTTOU`) last asked for.
   */
  readonly desired: number;
  /** Slots given up by the crash-loop guard, ascending; they are never respawned. */
  readonly givenUpSlots: readonly number[];
  /** Workers forked into a slot that had one before (respawns and rolling restarts) since start. */
  readonly restarts: number;
  /** Workers replaced by each restart rule since start (see `recycle` of `bootstrapCluster`). */
  readonly recycles: { readonly memory: number; readonly hang: number; readonly 'max-age': number };
  /**
   * Whether the cluster is shutting down (from the stop signal on, `shutdownDelayMs` included);
   * `ClusterHealthIndicator` then answers down.
   */
  readonly shuttingDown: boolean;
}
