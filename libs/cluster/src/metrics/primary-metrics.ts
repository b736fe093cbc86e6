import { Counter, Gauge, type Registry } from 'prom-client';
import { type RecycleReason } from '../bootstrap/recycle.options.js';
import { type WorkerState } from '../cluster.interfaces.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';

const STATES: readonly WorkerState[] = ['starting', 'ready', 'stopping'];
const RECYCLE_REASONS: readonly RecycleReason[] = ['memory', 'hang', 'max-age'];

/**
 * Registers the supervisor's metrics on the primary's `registry`: workers by state, the desired
 * count, given-up slots, restarts and recycles, read from the worker table at each scrape. Idempotent.
 */
export function registerPrimaryMetrics(registry: Registry, messaging: ClusterMessaging): void {
  if (registry.getSingleMetric('nest_hive_workers')) return;
  new Gauge({
    name: 'nest_hive_workers',
    help: 'Workers of the cluster by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { workers } = await messaging.workers();
      for (const state of STATES) this.set({ state }, workers.filter((w) => w.state === state).length);
    },
  });
  new Gauge({
    name: 'nest_hive_workers_desired',
    help: 'Workers the cluster should run (bootstrapCluster workers).',
    registers: [registry],
    async collect() {
      this.set((await messaging.workers()).desired);
    },
  });
  new Gauge({
    name: 'nest_hive_slots_given_up',
    help: 'Worker slots given up by the crash-loop guard; they are never respawned.',
    registers: [registry],
    async collect() {
      this.set((await messaging.workers()).givenUpSlots.length);
    },
  });
  new Counter({
    name: 'nest_hive_worker_restarts_total',
    help: 'Workers forked into a slot that had one before (respawns after a crash and rolling restarts).',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await messaging.workers()).restarts);
    },
  });
  new Counter({
    name: 'nest_hive_worker_recycles_total',
    help: 'Workers replaced by a restart rule (bootstrapCluster recycle), by rule: memory, hang, max-age.',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      this.reset();
      const { recycles } = await messaging.workers();
      for (const reason of RECYCLE_REASONS) this.inc({ reason }, recycles[reason]);
    },
  });
}
