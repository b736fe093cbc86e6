import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type ClusterMetricsModuleOptions } from './cluster-metrics.options.js';

/** Extras of `ClusterMetricsModule.forRoot()`. */
export interface ClusterMetricsModuleExtras {
  /** Register the module globally, so any module can inject `ClusterMetricsService`. Default `true`. */
  readonly isGlobal?: boolean;
}

/**
 * Built by Nest's `ConfigurableModuleBuilder`: the base class giving `ClusterMetricsModule` its
 * `forRoot()` / `forRootAsync()`, and the injection token of its options.
 */
export const {
  ConfigurableModuleClass: ConfigurableClusterMetricsModule,
  MODULE_OPTIONS_TOKEN: CLUSTER_METRICS_OPTIONS,
} = new ConfigurableModuleBuilder<ClusterMetricsModuleOptions>({ moduleName: 'ClusterMetrics' })
  .setClassMethodName('forRoot')
  .setExtras<ClusterMetricsModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
