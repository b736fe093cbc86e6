import { type LoggerService } from '@nestjs/common';
import { type ResolvedClusterOptions } from '../bootstrap/bootstrap.options.js';
import { type ClusterError } from '../cluster.errors.js';
import { type Slot } from './slot.js';
import { type LifecyclePublisher } from './worker-events.js';
import { type WorkerRecord } from './worker-record.js';

/** What {@link recordSlotFailure} needs: the settings, and where it logs and publishes. */
export interface SlotFailureContext {
  readonly options: Pick<ResolvedClusterOptions, 'restart' | 'readyTimeoutMs'>;
  readonly logger: Pick<LoggerService, 'error'>;
  readonly events: LifecyclePublisher;
}

/**
 * Records that the worker serving `slot` failed, under the slot's restart policy: the failure is
 * kept for the logs, and the slot is either due a respawn after the backoff (`delayMs`) or given
 * up as a crash loop (`dead`, logged and published as a `crash-loop` event).
 */
export function recordSlotFailure(
  slot: Slot,
  record: WorkerRecord,
  { options, logger, events }: SlotFailureContext,
): { readonly action: 'respawn'; readonly delayMs: number } | { readonly action: 'give-up' } {
  const decision = slot.policy.recordFailure(Date.now(), record.readyAt);
  slot.lastFailure = record.describeFailure(options.readyTimeoutMs);
  if (decision.action !== 'give-up') return { action: 'respawn', delayMs: decision.delayMs };
  slot.dead = true;
  logger.error(
    `Slot ${slot.index} is in a crash loop: ${decision.failures} failures within ` +
      `${options.restart.windowMs} ms (restart.maxRestarts is ${options.restart.maxRestarts}). ` +
      `It will not be respawned. Last failure: ${slot.lastFailure}.`,
  );
  events.publish({
    ...events.base(record),
    type: 'crash-loop',
    failures: decision.failures,
    windowMs: options.restart.windowMs,
  });
  return { action: 'give-up' };
}

/**
 * The failure no restart can help (every slot in a crash loop, a port no worker can open): set
 * once, and told to whoever listens (the bootstrap stops the cluster and exits 1).
 */
export class FatalFailure {
  /** The failure, once there is one: nothing is respawned after it. */
  error: ClusterError | undefined;
  private readonly listeners = new Set<(error: ClusterError) => void>();

  /** Calls `listener` with the failure when it comes. */
  listen(listener: (error: ClusterError) => void): void {
    this.listeners.add(listener);
  }

  /** Records `error` and tells the listeners, unless a failure came before; whether it did. */
  raise(error: ClusterError): boolean {
    if (this.error) return false;
    this.error = error;
    for (const listener of [...this.listeners]) listener(error);
    return true;
  }

  /** Forgets the listeners (the cluster stopped). */
  clear(): void {
    this.listeners.clear();
  }
}
