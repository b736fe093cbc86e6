import { type ClusterStatus } from '../control/control-protocol.js';

function duration(ms: number): string {
  const seconds = Math.max(Math.floor(ms / 1000), 0);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours}h ${minutes % 60}m` : `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function memory(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `nest-hive status` as a table, `pm2 ls`-style, at `now` (epoch ms). */
export function formatStatus(status: ClusterStatus, now: number): string {
  const { primary, workers, desired, restarts } = status;
  const header =
    `primary ${primary.pid} · node ${primary.node} · up ${duration(now - primary.startedAt)} · ` +
    `${workers.length} worker${workers.length === 1 ? '' : 's'} (desired ${desired}) · ${restarts} restart${restarts === 1 ? '' : 's'}`;
  const rows = [
    ['slot', 'worker', 'pid', 'state', 'memory', 'uptime', 'restarts'],
    ...workers.map((w) => [
      String(w.slot),
      String(w.id),
      String(w.pid),
      w.state,
      memory(w.rssBytes),
      duration(now - w.startedAt),
      String(w.restarts),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
  return [header, '', ...lines].join('\n');
}
