import { Counter, Gauge, type Registry } from 'prom-client';
import { processBroadcastHealth, processIpcStats } from '../process-state.js';

/** Names of the metrics every process of the cluster reports about its IPC. */
export const PROCESS_METRIC_NAMES = [
  'nest_hive_ipc_messages_total',
  'nest_hive_ipc_sent_bytes_total',
  'nest_hive_ipc_queued_messages',
  'nest_hive_cluster_pending_requests',
  'nest_hive_cluster_request_timeouts_total',
  'nest_hive_cluster_late_replies_total',
  'nest_hive_cluster_broadcast_transport_degraded',
  'nest_hive_cluster_broadcast_resubscribes_total',
  'nest_hive_cluster_broadcast_gaps_total',
] as const;

/**
 * Registers this process' IPC and broadcast transport metrics on `registry`, read from the hub's
 * counters and the transports' at each scrape (nothing runs between scrapes). Idempotent: a second
 * call in the same process does nothing.
 */
export function registerProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric(PROCESS_METRIC_NAMES[0])) return;
  new Counter({
    name: 'nest_hive_ipc_messages_total',
    help: 'IPC messages written and received by the processes of the cluster (each message of a batch counts).',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      const stats = processIpcStats();
      this.reset();
      this.inc({ direction: 'sent' }, stats?.messagesSent ?? 0);
      this.inc({ direction: 'received' }, stats?.messagesReceived ?? 0);
    },
  });
  new Counter({
    name: 'nest_hive_ipc_sent_bytes_total',
    help: 'Bytes of the IPC messages sent by endpoints, as measured against maxMessageBytes (an upper bound for small JSON messages).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processIpcStats()?.bytesSent ?? 0);
    },
  });
  new Gauge({
    name: 'nest_hive_ipc_queued_messages',
    help: 'IPC messages waiting in send queues because a channel backlog is full.',
    registers: [registry],
    collect() {
      this.set(processIpcStats()?.queuedMessages ?? 0);
    },
  });
  new Gauge({
    name: 'nest_hive_cluster_pending_requests',
    help: 'Cluster requests (request/reply over IPC) awaiting an answer.',
    registers: [registry],
    collect() {
      this.set(processIpcStats()?.pendingRequests ?? 0);
    },
  });
  new Counter({
    name: 'nest_hive_cluster_request_timeouts_total',
    help: 'Cluster requests that failed with ClusterTimeoutError.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processIpcStats()?.requestTimeouts ?? 0);
    },
  });
  new Counter({
    name: 'nest_hive_cluster_late_replies_total',
    help: 'Cluster replies that arrived after their request had settled (timed out, failed or given up) and were dropped.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processIpcStats()?.lateReplies ?? 0);
    },
  });
  new Gauge({
    name: 'nest_hive_cluster_broadcast_transport_degraded',
    help: 'Broadcast transports whose self-check fails now (no echo of their own ping): broadcasts may be missed. 0 or 1 per transport (one per app), summed over the cluster.',
    registers: [registry],
    collect() {
      this.set(processBroadcastHealth().snapshot().degraded);
    },
  });
  new Counter({
    name: 'nest_hive_cluster_broadcast_resubscribes_total',
    help: 'Resubscriptions forced by broadcast transports whose self-check failed.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processBroadcastHealth().snapshot().resubscribes);
    },
  });
  new Counter({
    name: 'nest_hive_cluster_broadcast_gaps_total',
    help: 'Broadcasts found missing by the processes that should have received them (skipped sequence numbers of a sender that never arrived). Lost broadcasts are not sent again.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(processBroadcastHealth().snapshot().gaps);
    },
  });
}
