import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Observable, type Subscription } from 'rxjs';
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { ClusterService } from '../cluster.service.js';
import { startPrimaryHost } from '../extensions/primary-host.js';
import { getProcessMessaging } from '../process-state.js';
import { clusterLeaderHost } from './cluster-leader.host.js';
import { type ResolvedLeaderOptions } from './leader.options.js';
import { LEADER_GRANT, LEADER_JOIN, LEADER_REVOKE, LEADER_WHO, type LeaderInfo } from './leader.topics.js';
import { processLeadership } from './leadership.js';

/** Injection token of the resolved options. */
export const CLUSTER_LEADER_OPTIONS = Symbol('CLUSTER_LEADER_OPTIONS');

/**
 * Whether this worker leads the cluster (or the fleet), and who does. At most one worker leads at
 * a time; when it exits, another takes over at once on its machine (or, for a fleet, once the lease
 * of a dead machine ran out).
 *
 * @example
 * ```ts
 * constructor(private readonly leader: ClusterLeaderService) {}
 *
 * @Cron('0 * * * *')
 * async hourly(): Promise<void> {
 *   if (!this.leader.isLeader) return;
 *   await this.reports.send({ fencingToken: this.leader.fencingToken });
 * }
 * ```
 */
@Injectable()
export class ClusterLeaderService implements OnModuleInit, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private removeHandler: (() => void) | undefined;

  constructor(
    @Inject(CLUSTER_LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly cluster: ClusterService,
  ) {}

  /** Whether this worker leads now. */
  get isLeader(): boolean {
    return processLeadership.isLeader;
  }

  /** The fencing token of this worker's leadership (higher for every new leader), or `null`. */
  get fencingToken(): number | null {
    return processLeadership.fencingToken;
  }

  /** `true` while this worker leads, `false` otherwise; emits each change, the current state first. */
  get leadership$(): Observable<boolean> {
    return processLeadership.changes$;
  }

  /** Takes part in the election: starts the primary's side, then joins. */
  async onModuleInit(): Promise<void> {
    const messaging = getProcessMessaging();
    if (!messaging) {
      processLeadership.leadAlone(); // no bootstrapCluster: this process is the whole cluster
      return;
    }
    this.subscription = this.cluster.on(LEADER_GRANT).subscribe((grant) => processLeadership.grant(grant));
    this.removeHandler = this.cluster.handle(LEADER_REVOKE, () => {
      processLeadership.end();
      return { stopped: true as const };
    });
    await startPrimaryHost(messaging, clusterLeaderHost, this.options);
    await this.cluster.request(LEADER_JOIN, null, { to: PRIMARY_ADDRESS });
  }

  /** Stops leading and listening. */
  onApplicationShutdown(): void {
    processLeadership.end();
    this.subscription?.unsubscribe();
    this.removeHandler?.();
  }

  /**
   * Who leads the cluster (with Redis: the fleet) now, or `null` while nobody does (an election
   * under way). The same answer from every worker.
   */
  async leader(): Promise<LeaderInfo | null> {
    if (!getProcessMessaging()) return null;
    return this.cluster.request(LEADER_WHO, null, { to: PRIMARY_ADDRESS });
  }
}
