/**
 * `@nest-hive/cluster/extensions`: the cluster's IPC for other libraries, which run without a
 * Nest module of their own: this process' messaging endpoint, and primary hosts (a library's
 * service run in the primary for every worker, like the cluster-shared session store).
 *
 * @packageDocumentation
 */
export { getProcessMessaging } from '../process-state.js';
export { type PrimaryHost, definePrimaryHost, startPrimaryHost } from './primary-host.js';
export { createStandalonePrimary, type StandalonePrimary } from './standalone-primary.js';
