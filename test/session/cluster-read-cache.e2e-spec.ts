/**
 * The worker-local read cache of the cluster-shared store, through a real two-worker cluster and
 * real HTTP: the coherence tests of test/support/read-cache-coherence.ts.
 */
import { describeReadCacheCoherence } from '../support/read-cache-coherence.js';

describeReadCacheCoherence('ClusterSessionStore read cache: coherent across workers', () => ({}));
