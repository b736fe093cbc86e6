import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { register } from 'prom-client';
import { SessionRuntime } from '../core/session-runtime.js';
import { SessionStore } from '../session-store.interface.js';
import { registerSessionMetrics } from './session-metrics.js';
import {
  DEFAULT_SESSION_METRICS_OPTIONS,
  SESSION_METRICS_OPTIONS,
  type SessionMetricsModuleOptions,
} from './session-metrics.options.js';

/** Feeds the session store's metrics on prom-client's global registry from the session runtime. */
@Injectable()
export class SessionMetricsCollector implements OnModuleInit, OnApplicationShutdown {
  private stop: (() => void) | undefined;

  constructor(
    @Inject(SESSION_METRICS_OPTIONS) private readonly options: SessionMetricsModuleOptions,
    private readonly runtime: SessionRuntime,
    @Inject(SessionStore) private readonly store: SessionStore,
  ) {}

  /** Registers the metrics and starts observing store calls. */
  onModuleInit(): void {
    const metrics = registerSessionMetrics(register, this.store, {
      ...DEFAULT_SESSION_METRICS_OPTIONS,
      ...this.options,
    });
    this.stop = this.runtime.observeStoreCalls(metrics.observe);
  }

  /** Stops observing. */
  onApplicationShutdown(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
