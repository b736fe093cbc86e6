import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  Post,
  ServiceUnavailableException,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import { ClusterService } from '@nest-hive/cluster';
import { map, merge, type Observable } from 'rxjs';
import {
  DEMO_BROADCAST,
  DEMO_RECEIPT,
  MAX_BROADCAST_LENGTH,
  type DemoBroadcast,
} from '../cluster/demo-topics.js';
import { InboxService } from '../cluster/inbox.service.js';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';

/** One worker as `/api/cluster/workers` lists it. */
export interface WorkerView {
  id: number;
  slot: number;
  pid: number;
  state: string;
  startedAt: number;
  readyAt: number | null;
}

/** The cluster routes of the demo contract. */
@Controller('api/cluster')
export class ClusterController {
  private readonly logger = new Logger('ClusterController');

  constructor(
    private readonly cluster: ClusterService,
    private readonly inbox: InboxService,
  ) {}

  /** The live worker table, asked of the primary, and how many workers it wants (`desired`). */
  @Get('workers')
  async workers(): Promise<{ primary: { pid: number }; desired: number; workers: WorkerView[] }> {
    const snapshot = await this.cluster.workers();
    return {
      primary: { pid: snapshot.primary.pid },
      desired: snapshot.desired,
      workers: snapshot.workers.map((w) => ({
        id: w.id,
        slot: w.slot,
        pid: w.pid,
        state: w.state,
        startedAt: w.startedAt,
        readyAt: w.readyAt ?? null,
      })),
    };
  }

  /** Broadcasts `{ message }` to every worker, this one included. */
  @Post('broadcast')
  @HttpCode(HttpStatus.ACCEPTED)
  async broadcast(@Body() body: { message?: unknown }): Promise<{ id: string }> {
    const message = typeof body?.message === 'string' ? body.message.trim() : '';
    if (!message || message.length > MAX_BROADCAST_LENGTH) {
      throw new BadRequestException(`Body must be { "message": "<1-${MAX_BROADCAST_LENGTH} characters>" }.`);
    }
    const broadcast: DemoBroadcast = { id: randomUUID(), message, from: processIdentity(), at: Date.now() };
    try {
      await this.cluster.broadcast(DEMO_BROADCAST, broadcast, { includeSelf: true });
    } catch (error) {
      // The transport (IPC to the primary, or Redis) is down: say so, and let the client retry.
      this.logger.warn(`Broadcast failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new ServiceUnavailableException('Broadcast transport unavailable, please retry shortly.');
    }
    return { id: broadcast.id };
  }

  /** The last 50 broadcasts this worker received. */
  @Get('inbox')
  inboxMessages(): ProcessIdentity & { messages: DemoBroadcast[] } {
    return { ...processIdentity(), messages: this.inbox.messages() };
  }

  /** Server-Sent Events: broadcasts, receipts and lifecycle events reaching this worker. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    const served = processIdentity();
    return merge(
      this.cluster.on(DEMO_BROADCAST).pipe(map((data) => ({ type: 'broadcast', data }))),
      this.cluster.on(DEMO_RECEIPT).pipe(map((data) => ({ type: 'receipt', data }))),
      this.cluster.events$.pipe(map((data) => ({ type: 'lifecycle', data }))),
    ).pipe(map((event) => ({ ...event, data: { ...event.data, servedBy: served } })));
  }
}
