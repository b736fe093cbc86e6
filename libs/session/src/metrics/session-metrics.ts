import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StoreOperation } from '../core/session-runtime.js';
import type { SessionStore } from '../session-store.interface.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';

/** The metrics one process reports about its session store. */
export interface SessionStoreMetrics {
  /** Records one store call. */
  readonly observe: (operation: StoreOperation, seconds: number, failed: boolean) => void;
}

function existing<T>(registry: Registry, name: string, guard: (value: unknown) => value is T): T | undefined {
  const metric = registry.getSingleMetric(name);
  return guard(metric) ? metric : undefined;
}

const isHistogram = (value: unknown): value is Histogram<'operation'> => value instanceof Histogram;
const isCounter = (value: unknown): value is Counter<'operation'> => value instanceof Counter;

/**
 * Registers (once per registry) the latency histogram and error counter of store calls, and the
 * session-count gauge of `store` when it can count.
 *
 * `nest_hive_sessions` is summed across processes for a per-process `MemorySessionStore`, and
 * taken as the largest answer for stores every process shares (cluster, Redis, express stores),
 * which each process counts alike.
 */
export function registerSessionMetrics(
  registry: Registry,
  store: SessionStore,
  options: { countSessions: boolean; countTimeoutMs: number; buckets: readonly number[] },
): SessionStoreMetrics {
  const duration =
    existing(registry, 'nest_hive_session_store_duration_seconds', isHistogram) ??
    new Histogram({
      name: 'nest_hive_session_store_duration_seconds',
      help: 'Duration of session store calls, by operation (failed calls included).',
      labelNames: ['operation'],
      buckets: [...options.buckets],
      registers: [registry],
    });
  const errors =
    existing(registry, 'nest_hive_session_store_errors_total', isCounter) ??
    new Counter({
      name: 'nest_hive_session_store_errors_total',
      help: 'Session store calls that failed (the request got a 503), by operation.',
      labelNames: ['operation'],
      registers: [registry],
    });
  const length = store.length?.bind(store);
  if (options.countSessions && length && !registry.getSingleMetric('nest_hive_sessions')) {
    const timeoutMs = options.countTimeoutMs;
    const labels = { store: store.constructor.name };
    new Gauge({
      name: 'nest_hive_sessions',
      help: 'Sessions in the store (per process for the memory store, else the shared store); absent while the store cannot count.',
      labelNames: ['store'],
      aggregator: store instanceof MemorySessionStore ? 'sum' : 'max',
      registers: [registry],
      async collect() {
        this.reset();
        const count = await countWithin(length, timeoutMs);
        if (count !== undefined) this.set(labels, count);
      },
    });
  }
  return {
    observe: (operation, seconds, failed) => {
      duration.observe({ operation }, seconds);
      if (failed) errors.inc({ operation });
    },
  };
}

/** `length()`, or `undefined` when it fails or takes longer than `timeoutMs`. */
async function countWithin(length: () => Promise<number>, timeoutMs: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([length().catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
