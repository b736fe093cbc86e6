import { type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { type Observable } from 'rxjs';
import { type ClusterMode, type ClusterSelf, type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type ShutdownReport } from '../supervisor/cluster-controller.interface.js';
import { type PrimaryRuntime } from './primary-runtime.interface.js';

/** What `bootstrapCluster` resolves with in the primary (also with `workers: 0`). */
export interface PrimaryClusterHandle {
  /** Discriminant. */
  readonly role: 'primary';
  /** `'cluster'` with forked workers, `'loopback'` with `workers: 0`. */
  readonly mode: ClusterMode;
  /** The primary runtime: `runtime.handle(topic, fn)` answers workers' requests from plain code. */
  readonly runtime: PrimaryRuntime;
  /**
   * Lifecycle events: fork, online, listening, ready, disconnect, exit, crash-loop. Each
   * subscriber first gets the start-up events (up to when `bootstrapCluster` resolved), then
   * live ones.
   */
  readonly events$: Observable<ClusterEvent>;
  /** The live worker table, replayed to late subscribers. */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /** What the `primary()` factory returned, if anything. */
  readonly context: INestApplicationContext | undefined;
  /** With `workers: 0`, the in-process worker app. */
  readonly app: INestApplication | undefined;
  /** Replaces every worker, one slot at a time, with zero downtime (the reload signal does the same). */
  rollingRestart(): Promise<void>;
  /**
   * Runs `workers` workers from now on (1 to 1024; `SIGTTIN` / `SIGTTOU` add or remove one). New
   * workers are forked in new slots, and it resolves once they are ready; the highest slots are
   * drained and stopped as in a rolling restart (in-flight requests finish, keep-alive clients are
   * told to reconnect), and it resolves once they exited. Rejects during a rolling restart or
   * another scaling, and with `workers: 0`.
   */
  scale(workers: number): Promise<void>;
  /** Gracefully stops every worker and the primary context. Does not exit the process. Idempotent. */
  shutdown(): Promise<ShutdownReport>;
}

/** What `bootstrapCluster` resolves with in a forked worker. */
export interface WorkerClusterHandle {
  /** Discriminant. */
  readonly role: 'worker';
  /** The app the `worker()` factory returned. */
  readonly app: INestApplication;
  /** This worker's identity. */
  readonly self: ClusterSelf;
  /** Gracefully stops this worker and exits the process; the primary then replaces it. */
  stop(): Promise<void>;
}

/** The result of `bootstrapCluster`, discriminated by `role`. */
export type ClusterHandle = PrimaryClusterHandle | WorkerClusterHandle;
