import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AggregatorRegistry, Gauge, register } from 'prom-client';
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { ClusterService } from '../cluster.service.js';
import { startPrimaryHost } from '../extensions/primary-host.js';
import { getProcessMessaging } from '../process-state.js';
import { clusterMetricsHost } from './cluster-metrics.host.js';
import { CLUSTER_METRICS_OPTIONS } from './cluster-metrics.module-definition.js';
import {
  type ClusterMetricsModuleOptions,
  DEFAULT_CLUSTER_METRICS_OPTIONS,
  type ResolvedClusterMetricsOptions,
} from './cluster-metrics.options.js';
import { METRICS_COLLECT, METRICS_GATHER } from './cluster-metrics.topics.js';
import { ensureDefaultMetrics } from './default-metrics.js';
import { localMetrics } from './local-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';

/**
 * Prometheus metrics of the whole cluster, from whichever worker serves the scrape: its own
 * metrics, plus those of the primary and of every other worker, gathered over IPC by the primary
 * and merged with prom-client's `AggregatorRegistry.aggregate()` (summed, unless a metric names
 * another `aggregator`). Everything registered on prom-client's global `register` in any process
 * is included, your own metrics too.
 *
 * @example
 * ```ts
 * @Get('metrics')
 * async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
 *   res.type(this.metrics.contentType);
 *   return this.metrics.metrics();
 * }
 * ```
 */
@Injectable()
export class ClusterMetricsService implements OnModuleInit, OnApplicationShutdown {
  private readonly options: ResolvedClusterMetricsOptions;
  private removeHandler: (() => void) | undefined;

  constructor(
    @Inject(CLUSTER_METRICS_OPTIONS) options: ClusterMetricsModuleOptions,
    private readonly cluster: ClusterService,
  ) {
    this.options = { ...DEFAULT_CLUSTER_METRICS_OPTIONS, ...options };
  }

  /** The `Content-Type` of what `metrics()` returns (Prometheus text format 0.0.4). */
  get contentType(): string {
    return register.contentType;
  }

  /**
   * Starts the metrics of this process, answers the primary's requests for them, and makes sure
   * the primary runs its side.
   */
  async onModuleInit(): Promise<void> {
    if (this.options.defaultMetrics) ensureDefaultMetrics(register);
    registerProcessMetrics(register);
    this.removeHandler = this.cluster.handle(METRICS_COLLECT, () => localMetrics(register));
    const messaging = getProcessMessaging();
    if (messaging) {
      await startPrimaryHost(messaging, clusterMetricsHost, {
        defaultMetrics: this.options.defaultMetrics,
        timeoutMs: this.options.timeoutMs,
      });
    }
  }

  /** Stops answering the primary. */
  onApplicationShutdown(): void {
    this.removeHandler?.();
    this.removeHandler = undefined;
  }

  /**
   * The metrics of every process of the cluster, in Prometheus' text format. In one process
   * (`workers: 0`, or outside `bootstrapCluster`) they are that process' own. Workers that do not
   * answer within `timeoutMs` are left out and counted in `nest_hive_metrics_unanswered_workers`.
   */
  async metrics(): Promise<string> {
    const self = this.cluster.self;
    if (self.isPrimary || self.mode !== 'cluster') return register.metrics();
    const [own, others] = await Promise.all([
      localMetrics(register),
      this.cluster.request(
        METRICS_GATHER,
        { exclude: self.workerId },
        { to: PRIMARY_ADDRESS, timeoutMs: this.options.timeoutMs * 2 },
      ),
    ]);
    const merged = AggregatorRegistry.aggregate([own, ...others.processes]);
    new Gauge({
      name: 'nest_hive_metrics_unanswered_workers',
      help: 'Workers whose metrics this scrape lacks: they did not answer in time, or their answer could not be sent.',
      registers: [merged],
    }).set(others.unanswered);
    return merged.metrics();
  }
}
