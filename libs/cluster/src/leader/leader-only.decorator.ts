// @nestjs/common loads reflect-metadata, which declares Reflect.getMetadataKeys / defineMetadata.
import { processLeadership } from './leadership.js';

/**
 * Runs the decorated method only in the worker that leads (see `ClusterLeaderModule`); elsewhere a
 * call does nothing and returns `undefined`. Made for `@nestjs/schedule` jobs, which every worker
 * schedules: with it, a `@Cron` or `@Interval` runs once per cluster (or fleet, with Redis). Put it
 * above or below the schedule decorator: the metadata of either is kept.
 *
 * @example
 * ```ts
 * @Interval(60_000)
 * @LeaderOnly()
 * async purgeExpiredInvites(): Promise<void> {
 *   await this.invites.purgeExpired();
 * }
 * ```
 */
export function LeaderOnly(): MethodDecorator {
  return (_target, key, descriptor) => {
    const original: unknown = descriptor.value;
    if (typeof original !== 'function') {
      throw new TypeError(`@LeaderOnly() decorates methods; ${String(key)} is not one.`);
    }
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return processLeadership.isLeader
        ? (original as (...a: unknown[]) => unknown).apply(this, args)
        : undefined;
    };
    for (const metadataKey of Reflect.getMetadataKeys(original) as unknown[]) {
      Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: original.name });
    descriptor.value = wrapped as typeof descriptor.value;
  };
}
