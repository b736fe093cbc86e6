import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CLUSTER_MODULE_OPTIONS_TYPE, ConfigurableClusterModule } from './cluster.module-definition.js';
import { ClusterHandlerExplorer } from './cluster-handler.explorer.js';
import { ClusterHttpBinding } from './cluster-http.binding.js';
import { clusterEndpointProvider } from './cluster.providers.js';
import { ClusterService } from './cluster.service.js';

/**
 * Makes the cluster injectable. Import it once, in the worker app and optionally in the primary's
 * Nest context; it provides `ClusterService` (global by default) and registers the
 * `@OnClusterMessage` / `@ClusterRequestHandler` methods it finds.
 *
 * @example
 * ```ts
 * @Module({ imports: [ClusterModule.forRoot()] })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [clusterEndpointProvider, ClusterService, ClusterHandlerExplorer, ClusterHttpBinding],
  exports: [ClusterService],
})
export class ClusterModule extends ConfigurableClusterModule {
  /**
   * Registers the module; every option has a default.
   *
   * @example
   * ```ts
   * ClusterModule.forRoot({ requestTimeoutMs: 2_000 })
   * ```
   */
  static override forRoot(options: typeof CLUSTER_MODULE_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
