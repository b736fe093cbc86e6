import { definePrimaryHost } from '../extensions/primary-host.js';
import { LeaderElection } from './leader-election.js';
import { isResolvedLeaderOptions, type ResolvedLeaderOptions } from './leader.options.js';
import { LocalLease, type MachineLease } from './machine-lease.js';

/**
 * The primary side of `ClusterLeaderModule`: the election among this machine's workers, under a
 * lease of its own (one machine) or in Redis (a fleet). Started by the first worker's module.
 */
export const clusterLeaderHost = definePrimaryHost<ResolvedLeaderOptions>({
  specifier: '@nest-hive/cluster/leader',
  exportName: 'clusterLeaderHost',
  isOptions: isResolvedLeaderOptions,
  attach: async (runtime, options) => {
    const { redis } = options;
    // ioredis is an optional peer: loaded only for a fleet's lease.
    const lease: MachineLease = redis
      ? new (await import('./redis-lease.js')).RedisLease({ ...options, redis })
      : new LocalLease(options.leaseMs);
    const election = new LeaderElection(runtime, lease, options.leaseMs);
    election.start();
    runtime.onClose(() => election.close());
  },
});
