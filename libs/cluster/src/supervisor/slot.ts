import { type RestartPolicyOptions, SlotRestartPolicy } from './restart-policy.js';
import { type WorkerRecord } from './worker-record.js';

/** One of the N stable places a worker runs in, with its restart state. */
export interface Slot {
  /** `0..N-1`. */
  readonly index: number;
  readonly policy: SlotRestartPolicy;
  /** The worker serving the slot (the old one until a replacement is ready). */
  current: WorkerRecord | undefined;
  /** A replacement being started by a rolling restart. */
  replacement: WorkerRecord | undefined;
  /** Pending respawn. */
  respawnTimer: NodeJS.Timeout | undefined;
  /** Given up after a crash loop. */
  dead: boolean;
  /** Why its last worker failed, for the crash-loop log lines. */
  lastFailure: string | undefined;
}

/** The `count` slots of a fresh supervisor, empty, each with its own restart policy. */
export function createSlots(count: number, restart: RestartPolicyOptions): Slot[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    policy: new SlotRestartPolicy(restart),
    current: undefined,
    replacement: undefined,
    respawnTimer: undefined,
    dead: false,
    lastFailure: undefined,
  }));
}
