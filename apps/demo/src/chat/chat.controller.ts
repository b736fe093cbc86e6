import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { type ChatSocketData, ChatGateway } from './chat.gateway.js';

/** Sockets per worker, as the console's chat panel shows them. */
export interface ChatWorkers {
  /** Every worker holding sockets, by worker id. */
  workers: Array<{ workerId: number | null; pid: number; sockets: number }>;
  /** All sockets. */
  total: number;
}

function isSocketData(value: unknown): value is ChatSocketData {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Record<string, unknown>;
  return typeof data.pid === 'number' && (typeof data.workerId === 'number' || data.workerId === null);
}

/** The chat's HTTP side. */
@Controller('api/chat')
export class ChatController {
  /** @param gateway - the chat gateway (its server spans the workers). */
  constructor(private readonly gateway: ChatGateway) {}

  /** How many sockets each worker holds (`fetchSockets()` across the cluster). */
  @Get('sockets')
  async sockets(): Promise<ChatWorkers> {
    let sockets;
    try {
      sockets = await this.gateway.server.fetchSockets();
    } catch (error) {
      throw new ServiceUnavailableException(
        `A worker did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const byWorker = new Map<string, { workerId: number | null; pid: number; sockets: number }>();
    for (const socket of sockets) {
      const data: unknown = socket.data;
      if (!isSocketData(data)) continue;
      const key = `${data.workerId}/${data.pid}`;
      const entry = byWorker.get(key) ?? { workerId: data.workerId, pid: data.pid, sockets: 0 };
      entry.sockets += 1;
      byWorker.set(key, entry);
    }
    const workers = [...byWorker.values()].sort((a, b) => (a.workerId ?? 0) - (b.workerId ?? 0));
    return { workers, total: workers.reduce((sum, worker) => sum + worker.sockets, 0) };
  }
}
