import { type Provider } from '@nestjs/common';
import { DEFAULT_REQUEST_TIMEOUT_MS, LOOPBACK_WORKER_ID, PRIMARY_ADDRESS } from './cluster.constants.js';
import { InvalidClusterOptionsError } from './cluster.errors.js';
import { CLUSTER_MODULE_OPTIONS, type ClusterModuleOptions } from './cluster.module-definition.js';
import { ClusterPrimaryRuntime } from './bootstrap/primary-runtime.js';
import { ClusterEndpoint } from './messaging/cluster-endpoint.js';
import { getClusterEnvironment } from './environment/cluster-environment.js';
import { currentEndpointAddress, findPrimaryRuntime, getWorkerRuntime } from './process-state.js';

/** Injection token of the module's endpoint, which `ClusterService` holds (internal). */
export const CLUSTER_ENDPOINT = Symbol('nest-hive:cluster-endpoint');

/**
 * Decides which endpoint a `ClusterModule` becomes:
 * - in a worker forked by `bootstrapCluster`: that worker;
 * - in the primary: the endpoint the app is being created for (`'primary'` for the `primary()`
 *   context, worker `0` for the in-process worker of `workers: 0`), defaulting to `'primary'`;
 * - anywhere else (no `bootstrapCluster`, e.g. tests): a private loopback of its own, as worker `0`
 *   with a private primary, closed with the app.
 */
export function createModuleEndpoint(options: ClusterModuleOptions): ClusterEndpoint {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(requestTimeoutMs > 0))
    throw new InvalidClusterOptionsError('requestTimeoutMs', 'expected a number > 0');
  const params = { requestTimeoutMs, transport: options.transport };
  const worker = getWorkerRuntime();
  if (worker) {
    return new ClusterEndpoint(worker.hub, worker.endpointParams(params));
  }
  const runtime = findPrimaryRuntime();
  if (runtime && !runtime.isClosed && getClusterEnvironment().isPrimary) {
    const address = currentEndpointAddress() ?? PRIMARY_ADDRESS;
    return new ClusterEndpoint(runtime.hub, runtime.endpointParams(address, params));
  }
  const loopback = new ClusterPrimaryRuntime();
  const onClose = (): Promise<void> => loopback.close();
  return new ClusterEndpoint(
    loopback.hub,
    loopback.endpointParams(LOOPBACK_WORKER_ID, { ...params, onClose }),
  );
}

/** The module's endpoint, attached where `createModuleEndpoint` decides. */
export const clusterEndpointProvider: Provider = {
  provide: CLUSTER_ENDPOINT,
  useFactory: (options: ClusterModuleOptions) => createModuleEndpoint(options),
  inject: [CLUSTER_MODULE_OPTIONS],
};
