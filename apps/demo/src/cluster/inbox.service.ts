import { Injectable, Logger } from '@nestjs/common';
import { ClusterService, OnClusterMessage } from '@nest-hive/cluster';
import { processIdentity } from '../process-identity.js';
import { DEMO_BROADCAST, DEMO_RECEIPT, type DemoBroadcast } from './demo-topics.js';

/** How many broadcasts each worker keeps. */
export const INBOX_SIZE = 50;

/**
 * The broadcasts this worker received (the last {@link INBOX_SIZE}). For
 * each one it tells every worker, so any worker's event stream shows who
 * received what.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger('Inbox');
  private readonly received: DemoBroadcast[] = [];

  constructor(private readonly cluster: ClusterService) {}

  /** Keeps a broadcast and sends a receipt for it. */
  @OnClusterMessage(DEMO_BROADCAST)
  receive(broadcast: DemoBroadcast): void {
    this.received.push(broadcast);
    if (this.received.length > INBOX_SIZE) this.received.shift();
    const { pid, workerId } = processIdentity();
    this.cluster
      .broadcast(DEMO_RECEIPT, { id: broadcast.id, pid, workerId, at: Date.now() }, { includeSelf: true })
      .catch((error: unknown) => this.logger.warn(`Could not send a receipt: ${String(error)}`));
  }

  /** The kept broadcasts, oldest first. */
  messages(): DemoBroadcast[] {
    return [...this.received];
  }
}
