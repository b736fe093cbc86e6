import { InvalidClusterOptionsError } from '../cluster.errors.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { type EventRateLimit } from './event-rate-limit.js';

/** Options of `ClusterIoAdapter`; every field is optional. */
export interface ClusterIoAdapterOptions {
  /**
   * The messaging the adapter broadcasts over. Default: the app's `ClusterService` (so the
   * broadcast transport of `ClusterModule`, e.g. Redis across machines, applies), else this
   * worker's own endpoint (IPC).
   */
  readonly messaging?: ClusterMessaging;
  /**
   * When the worker stops, its connections are closed spread over this many ms, so clients
   * reconnect a few at a time. Default 1 000.
   */
  readonly drainSpreadMs?: number;
  /** Events one socket may send; more are dropped (with an `error` event to the client). Default: no limit. */
  readonly eventRateLimit?: EventRateLimit;
  /** Heartbeat between the workers' adapters, in ms. Default 5 000. */
  readonly heartbeatIntervalMs?: number;
  /** A node not heard from for this long (ms) is forgotten. Workers of this cluster are forgotten at their exit. Default 10 000. */
  readonly heartbeatTimeoutMs?: number;
}

/** Defaults of `ClusterIoAdapter`. */
export const DEFAULT_CLUSTER_IO_OPTIONS = {
  drainSpreadMs: 1_000,
  heartbeatIntervalMs: 5_000,
  heartbeatTimeoutMs: 10_000,
} as const;

/** The options with defaults merged and values checked. */
export interface ResolvedClusterIoOptions {
  readonly messaging: ClusterMessaging | undefined;
  readonly drainSpreadMs: number;
  readonly eventRateLimit: EventRateLimit | undefined;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

function positive(option: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new InvalidClusterOptionsError(option, `expected a number ≥ ${min}, got ${value}`);
  }
  return value;
}

/**
 * Merges the defaults once and checks every value.
 *
 * @throws InvalidClusterOptionsError on a bad value.
 */
export function resolveClusterIoOptions(options: ClusterIoAdapterOptions): ResolvedClusterIoOptions {
  const d = DEFAULT_CLUSTER_IO_OPTIONS;
  const limit = options.eventRateLimit;
  const interval = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? d.heartbeatIntervalMs, 1);
  const timeout = positive('heartbeatTimeoutMs', options.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs, 1);
  if (timeout <= interval) {
    throw new InvalidClusterOptionsError(
      'heartbeatTimeoutMs',
      `must exceed heartbeatIntervalMs (${interval})`,
    );
  }
  return {
    messaging: options.messaging,
    drainSpreadMs: positive('drainSpreadMs', options.drainSpreadMs ?? d.drainSpreadMs, 0),
    eventRateLimit: limit && {
      events: positive('eventRateLimit.events', limit.events, 1),
      intervalMs: positive('eventRateLimit.intervalMs', limit.intervalMs, 1),
    },
    heartbeatIntervalMs: interval,
    heartbeatTimeoutMs: timeout,
  };
}
