/**
 * `@nest-hive/cluster/environment`: where this process stands in a cluster, without loading the
 * cluster runtime. For libraries that adapt to running under `bootstrapCluster`.
 *
 * @packageDocumentation
 */
export { CLUSTER_ENV, type ClusterEnvironment, getClusterEnvironment } from './cluster-environment.js';
