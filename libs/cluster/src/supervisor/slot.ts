import { type RestartPolicyOptions, SlotRestartPolicy } from './restart-policy.js';
import { ClusterStateError } from '../cluster.errors.js';
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
  /** Workers forked into it so far. */
  forks: number;
}

/** An empty slot at `index`, with its own restart policy. */
export function createSlot(index: number, restart: RestartPolicyOptions): Slot {
  return {
    index,
    policy: new SlotRestartPolicy(restart),
    current: undefined,
    replacement: undefined,
    respawnTimer: undefined,
    dead: false,
    lastFailure: undefined,
    forks: 0,
  };
}

/** The `count` slots of a fresh supervisor, empty. */
export function createSlots(count: number, restart: RestartPolicyOptions): Slot[] {
  return Array.from({ length: count }, (_, index) => createSlot(index, restart));
}

/**
 * Waits on the slots' changes (a worker ready, exited, a slot given up): each wait checks its
 * condition after every change until it is settled.
 */
export class SlotWaits {
  private readonly waits = new Set<() => void>();

  /**
   * Resolves when `check()` returns `true`, rejects when it returns an error; checked after each
   * {@link changed} call.
   */
  until(check: () => boolean | Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wait = (): void => {
        const outcome = check();
        if (outcome === false) return;
        this.waits.delete(wait);
        if (outcome === true) resolve();
        else reject(outcome);
      };
      this.waits.add(wait);
    });
  }

  /** Something changed: every wait checks again. */
  changed(): void {
    for (const wait of [...this.waits]) wait();
  }

  /** Drops every wait (they stay pending). */
  clear(): void {
    this.waits.clear();
  }
}

/**
 * Where a wait on `slots` stands: `true` once each has a ready worker or was given up, `false`
 * meanwhile, or the error it fails with: a shutdown; while starting, a fatal failure or every slot
 * dead (`allDead()` returns that error, else `false`); while scaling, one of the new slots given up.
 */
export function slotsSettled(
  slots: readonly Slot[],
  phase: 'starting' | 'scaling',
  cluster: {
    readonly stopping: boolean;
    readonly fatal: Error | undefined;
    readonly allDead: () => Error | false;
    readonly lastFailure: string | undefined;
  },
): boolean | Error {
  if (cluster.stopping) return new ClusterStateError(`The cluster was shut down while it was ${phase}.`);
  if (phase === 'starting') {
    const failure = cluster.fatal ?? cluster.allDead();
    if (failure) return failure;
  } else if (slots.some((slot) => slot.dead)) {
    return new ClusterStateError(
      `A new worker slot is in a crash loop: ${cluster.lastFailure ?? 'unknown'}.`,
    );
  }
  return slots.every((slot) => slot.dead || slot.current?.state === 'ready');
}
