import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ClusterService } from '../cluster.service.js';
import {
  CLUSTER_MONITOR_OPTIONS,
  type ClusterMonitorModuleOptions,
  DEFAULT_CLUSTER_MONITOR_OPTIONS,
} from './cluster-monitor.options.js';
import { MONITOR_SAMPLES } from './cluster-monitor.topics.js';
import { type ClusterMonitorSnapshot, type MonitoredWorker, type ProcessSample } from './process-sample.js';
import { ProcessSampler } from './process-sampler.js';

interface RequestEmitter {
  on(event: 'request', listener: () => void): unknown;
  off(event: 'request', listener: () => void): unknown;
}

function isRequestEmitter(value: unknown): value is RequestEmitter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'on') === 'function' &&
    typeof Reflect.get(value, 'off') === 'function'
  );
}

/**
 * A `pm2 monit` for the cluster: every worker samples itself (RSS and heap, CPU %, event-loop lag
 * p99, HTTP requests per second) once a second and keeps the last minute; `snapshot()` asks every
 * worker of the table for its samples, from any worker.
 *
 * @example
 * ```ts
 * @Get('monitor')
 * monitor(@Query('since') since?: string) {
 *   return this.monitor.snapshot(Number(since ?? 0));
 * }
 * ```
 */
@Injectable()
export class ClusterMonitorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sampler: ProcessSampler;
  private readonly timeoutMs: number;
  private removeHandler: (() => void) | undefined;
  private server: RequestEmitter | undefined;
  private readonly onRequest = (): void => this.sampler.countRequest();

  constructor(
    @Inject(CLUSTER_MONITOR_OPTIONS) options: ClusterMonitorModuleOptions,
    private readonly cluster: ClusterService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const resolved = { ...DEFAULT_CLUSTER_MONITOR_OPTIONS, ...options };
    this.sampler = new ProcessSampler(resolved.intervalMs, resolved.historySize);
    this.timeoutMs = resolved.timeoutMs;
  }

  /** Starts sampling, counting the HTTP server's requests, and answering for this worker. */
  onApplicationBootstrap(): void {
    this.sampler.start();
    const server: unknown = this.adapterHost.httpAdapter?.getHttpServer();
    if (isRequestEmitter(server)) {
      server.on('request', this.onRequest);
      this.server = server;
    }
    this.removeHandler = this.cluster.handle(MONITOR_SAMPLES, ({ since }) => this.sampler.samples(since));
  }

  /** Stops sampling and removes its listener and handler. */
  onApplicationShutdown(): void {
    this.sampler.stop();
    this.server?.off('request', this.onRequest);
    this.server = undefined;
    this.removeHandler?.();
    this.removeHandler = undefined;
  }

  /** This process' own samples taken after `since` (epoch ms). */
  localSamples(since = 0): ProcessSample[] {
    return this.sampler.samples(since);
  }

  /**
   * Every worker of the table with its samples taken after `since` (epoch ms; 0 for the whole
   * history; anything but a finite number counts as 0). A worker that does not answer within
   * `timeoutMs` is listed with no samples.
   */
  async snapshot(sinceMs = 0): Promise<ClusterMonitorSnapshot> {
    const since = Number.isFinite(sinceMs) ? sinceMs : 0;
    const { workers } = await this.cluster.workers();
    const self = this.cluster.self;
    const monitored = await Promise.all(
      workers.map(async (worker): Promise<MonitoredWorker> => {
        const row = { id: worker.id, slot: worker.slot, pid: worker.pid, state: worker.state };
        if (worker.id === self.workerId) return { ...row, samples: this.sampler.samples(since) };
        try {
          const samples = await this.cluster.request(
            MONITOR_SAMPLES,
            { since },
            { to: worker.id, timeoutMs: this.timeoutMs },
          );
          return { ...row, samples };
        } catch {
          return { ...row, samples: [] };
        }
      }),
    );
    return { at: Date.now(), intervalMs: this.sampler.intervalMs, workers: monitored };
  }
}
