import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type BroadcastTransportFactory } from './transport/broadcast-transport.js';

/** Options of `ClusterModule.forRoot()` / `forRootAsync()`. All optional. */
export interface ClusterModuleOptions {
  /** Default `request()` timeout of this module's `ClusterService`, in ms. Default 5000. */
  readonly requestTimeoutMs?: number;
  /** Broadcast transport; default: IPC through the primary (one machine). */
  readonly transport?: BroadcastTransportFactory;
}

/** Extras of `ClusterModule.forRoot()`. */
export interface ClusterModuleExtras {
  /** Register the module globally, so any module can inject `ClusterService`. Default `true`. */
  readonly isGlobal?: boolean;
}

/**
 * Built by Nest's `ConfigurableModuleBuilder`: the base class giving `ClusterModule` its
 * `forRoot()` / `forRootAsync()`, and `CLUSTER_MODULE_OPTIONS`, the injection token of the
 * options (re-exported under this library-specific name).
 */
export const {
  ConfigurableModuleClass: ConfigurableClusterModule,
  MODULE_OPTIONS_TOKEN: CLUSTER_MODULE_OPTIONS,
  OPTIONS_TYPE: CLUSTER_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CLUSTER_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ClusterModuleOptions>({ moduleName: 'Cluster' })
  .setClassMethodName('forRoot')
  .setExtras<ClusterModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
