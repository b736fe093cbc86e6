import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { type Subscription } from 'rxjs';
import { type PrimaryRuntime } from '../bootstrap/primary-runtime.interface.js';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { LEADER_GRANT, LEADER_JOIN, LEADER_REVOKE, LEADER_WHO } from './leader.topics.js';
import { type MachineLease } from './machine-lease.js';

/** A grant ends this long before the lease's own reckoning, for the IPC message to arrive. */
const GRANT_MARGIN_MS = 100;
/** Longest wait for a leader to confirm it stopped. */
const REVOKE_TIMEOUT_MS = 1_000;

/**
 * The primary's side of `ClusterLeaderModule`: among the ready workers that joined, it makes one
 * the leader while this machine holds its lease, and renews that worker's grant every third of the
 * lease. At most one worker leads at a time: a leader that is stopping is asked to step down, and
 * nobody else is granted until it confirmed, exited, or its last grant ran out. A leader that exits
 * is replaced at once.
 */
export class LeaderElection {
  private readonly logger = new Logger('NestHiveLeader');
  private readonly candidates = new Set<number>();
  private table: readonly WorkerInfo[] = [];
  private leader: WorkerInfo | undefined;
  /** The worker whose last grant may still run, and until when. */
  private granted: { workerId: number; until: number } | undefined;
  private revoking = false;
  private ticking: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private readonly stopHandlers: Array<() => void> = [];

  /**
   * @param runtime - the primary runtime.
   * @param lease - this machine's right to a leader.
   * @param leaseMs - the lease's length: grants are renewed every third of it.
   */
  constructor(
    private readonly runtime: PrimaryRuntime,
    private readonly lease: MachineLease,
    private readonly leaseMs: number,
  ) {}

  /** Answers the workers, follows the worker table, and starts renewing. */
  start(): void {
    this.stopHandlers.push(
      this.runtime.handle(LEADER_JOIN, (_payload, context) => {
        if (typeof context.from === 'number') this.candidates.add(context.from);
        this.schedule();
        return { joined: true as const };
      }),
      this.runtime.handle(LEADER_WHO, () => this.lease.holder()),
    );
    this.subscription = this.runtime.workers$.subscribe((table) => this.onTable(table));
    this.timer = setInterval(() => this.schedule(), Math.max(Math.floor(this.leaseMs / 3), 50));
    this.timer.unref();
  }

  /** Stops renewing (the workers are gone by then) and gives the lease up. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscription?.unsubscribe();
    this.stopHandlers.splice(0).forEach((stop) => stop());
    await this.ticking;
    await this.lease.close();
  }

  private onTable(table: readonly WorkerInfo[]): void {
    this.table = table;
    const ids = new Set(table.map((worker) => worker.id));
    for (const id of this.candidates) if (!ids.has(id)) this.candidates.delete(id);
    // An exited worker runs nothing: its grant is over.
    if (this.granted && !ids.has(this.granted.workerId)) this.granted = undefined;
    const leader = this.leader && table.find((worker) => worker.id === this.leader?.id);
    if (this.leader && !leader) {
      this.logger.warn(`Leader worker ${this.leader.id} (pid ${this.leader.pid}) exited: electing another.`);
      this.leader = undefined;
    } else if (leader?.state === 'stopping') {
      this.stepDown(leader);
      return;
    }
    this.schedule();
  }

  /** Asks a stopping leader to stop leading; the next one is elected once it confirmed or exited. */
  private stepDown(leader: WorkerInfo): void {
    if (this.revoking) return;
    this.revoking = true;
    this.candidates.delete(leader.id);
    this.runtime.messaging
      .request(LEADER_REVOKE, null, { to: leader.id, timeoutMs: REVOKE_TIMEOUT_MS })
      .then(
        () => {
          if (this.granted?.workerId === leader.id) this.granted = undefined;
        },
        () => undefined, // hung or gone: its grant runs out, or its exit ends it
      )
      .finally(() => {
        this.revoking = false;
        if (this.leader?.id === leader.id) this.leader = undefined;
        this.schedule();
      });
  }

  /** Runs a round now, or right after the one under way. */
  private schedule(): void {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.round().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
  }

  private async round(): Promise<void> {
    if (this.revoking) return;
    const free = !this.granted || Date.now() >= this.granted.until;
    const next = this.leader ?? (free ? this.pick() : undefined);
    const isNew = next !== undefined && next.id !== this.granted?.workerId;
    const info = next ? { workerId: next.id, pid: next.pid, hostname: hostname() } : null;
    const hold = await this.lease.hold(info, isNew);
    if (!hold) {
      // Another machine holds the lease, or Redis did not answer: the grant runs out by itself.
      if (this.leader) this.logger.warn(`Leader worker ${this.leader.id} loses the lease: it stops leading.`);
      this.leader = undefined;
      return;
    }
    if (!next || this.revoking || !this.table.some((w) => w.id === next.id && w.state === 'ready')) return;
    if (isNew)
      this.logger.log(`Worker ${next.id} (pid ${next.pid}) leads (fencing token ${hold.fencingToken}).`);
    this.leader = next;
    const until = hold.until - GRANT_MARGIN_MS;
    this.granted = { workerId: next.id, until };
    await this.runtime.messaging
      .send(LEADER_GRANT, { fencingToken: hold.fencingToken, until }, { to: next.id })
      .catch(() => undefined); // gone: the table says so next
  }

  /** The next leader: a ready worker that joined, the lowest slot first. */
  private pick(): WorkerInfo | undefined {
    return this.table
      .filter((worker) => worker.state === 'ready' && this.candidates.has(worker.id))
      .sort((a, b) => a.slot - b.slot || a.id - b.id)[0];
  }
}
