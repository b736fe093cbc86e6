import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { LifecyclePublisher, watchWorker } from './worker-events.js';
import { type LaunchedWorker } from './worker-launcher.js';
import { WorkerRecord } from './worker-record.js';

/** A worker process stand-in: an event emitter with the launcher's shape; nothing is forked. */
class FakeWorker extends EventEmitter implements LaunchedWorker {
  constructor(
    readonly id: number,
    readonly pid: number,
  ) {
    super();
  }
  isConnected(): boolean {
    return true;
  }
  send(_message: unknown, callback?: (error: Error | null) => void): boolean {
    callback?.(null);
    return true;
  }
  kill(): void {}
}

/** The hub's publishing, recorded. */
class Published {
  readonly calls: Array<{ workers: readonly WorkerInfo[]; event?: ClusterEvent }> = [];
  publishLifecycle(workers: readonly WorkerInfo[], event?: ClusterEvent): void {
    this.calls.push({ workers, event });
  }
}

describe('watchWorker', () => {
  it('subscribes every handler and removes them all', () => {
    const worker = new FakeWorker(1, 10);
    const seen: string[] = [];
    const detach = watchWorker(worker, {
      online: () => seen.push('online'),
      listening: (address) => seen.push(`listening ${String(address.port)}`),
      disconnect: () => seen.push('disconnect'),
      exit: (code) => seen.push(`exit ${String(code)}`),
      error: (error) => seen.push(error.message),
    });
    worker.emit('online');
    worker.emit('listening', { address: '::', port: 80 });
    worker.emit('disconnect');
    worker.emit('exit', 0, null);
    worker.emit('error', new Error('oops'));
    expect(seen).toEqual(['online', 'listening 80', 'disconnect', 'exit 0', 'oops']);
    detach();
    for (const event of ['online', 'listening', 'disconnect', 'exit', 'error']) {
      expect(worker.listenerCount(event)).toBe(0);
    }
  });
});

describe('LifecyclePublisher', () => {
  it('publishes events with the worker table ordered by slot, then id', () => {
    const hub = new Published();
    const records = new Map<number, WorkerRecord>();
    const publisher = new LifecyclePublisher(hub, records);
    const later = new WorkerRecord(new FakeWorker(5, 50), 0, 1, false);
    const first = new WorkerRecord(new FakeWorker(3, 30), 1, 1, false);
    const second = new WorkerRecord(new FakeWorker(2, 20), 0, 1, false);
    for (const record of [later, first, second]) records.set(record.id, record);
    publisher.emit(first, 'fork');
    publisher.listening(second, { address: 42, port: 3000 });
    publisher.publishTable();
    expect(hub.calls.map((call) => call.workers.map((w) => w.id))).toEqual([
      [2, 5, 3],
      [2, 5, 3],
      [2, 5, 3],
    ]);
    expect(hub.calls[0]?.event).toMatchObject({ type: 'fork', workerId: 3, slot: 1, pid: 30 });
    expect(hub.calls[1]?.event).toMatchObject({ type: 'listening', workerId: 2, address: null, port: 3000 });
    expect(hub.calls[2]?.event).toBeUndefined();
  });
});
