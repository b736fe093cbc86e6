import cluster from 'node:cluster';

/** Which process answered. */
export interface ProcessIdentity {
  /** Operating-system process id. */
  pid: number;
  /** Cluster worker id, or `null` when the demo runs in one process. */
  workerId: number | null;
}

/** This process's identity. */
export function processIdentity(): ProcessIdentity {
  return { pid: process.pid, workerId: cluster.worker?.id ?? null };
}
