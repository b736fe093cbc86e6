import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { WorkerUnavailableError } from '../cluster.errors.js';
import { shutdownEnvelope } from '../wire/envelope.build.js';
import { type ShutdownEnvelope, type StopMode } from '../wire/envelope.types.js';
import { requestStop } from './graceful-stop.js';
import { type LaunchedWorker } from './worker-launcher.js';
import { WorkerRecord } from './worker-record.js';

/** A worker process stand-in that records the signals it gets; nothing is forked. */
class FakeWorker extends EventEmitter implements LaunchedWorker {
  readonly signals: string[] = [];
  readonly id = 7;
  readonly pid = 70;
  isConnected(): boolean {
    return true;
  }
  send(_message: unknown, callback?: (error: Error | null) => void): boolean {
    callback?.(null);
    return true;
  }
  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }
}

/** The hub's control channel: delivers, or fails as a closed channel does. */
class ControlChannel {
  readonly sent: ShutdownEnvelope[] = [];
  constructor(private readonly open: boolean) {}
  sendControl(workerId: number, envelope: ShutdownEnvelope): Promise<void> {
    if (!this.open) return Promise.reject(new WorkerUnavailableError(workerId));
    this.sent.push(envelope);
    return Promise.resolve();
  }
  shutdownEnvelope(workerId: number, mode: StopMode): ShutdownEnvelope {
    return shutdownEnvelope({ id: 'h.1', to: workerId, mode });
  }
}

const warnings: string[] = [];
const logger = { warn: (message: unknown) => void warnings.push(String(message)) };
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('requestStop', () => {
  it('sends the shutdown envelope, then kills the worker when it outlives the timeout', async () => {
    const worker = new FakeWorker();
    const record = new WorkerRecord(worker, 0, Date.now(), false);
    const hub = new ControlChannel(true);
    requestStop(record, { hub, mode: 'restart', shutdownTimeoutMs: 20, logger });
    expect(hub.sent).toEqual([
      expect.objectContaining({ kind: 'shutdown', to: 7, payload: { mode: 'restart' } }),
    ]);
    expect(worker.signals).toEqual([]);
    await wait(40);
    expect(record.killReason).toBe('shutdown-timeout');
    expect(worker.signals).toContain('SIGKILL');
    expect(warnings.at(-1)).toContain('did not stop within 20 ms');
  });

  it('falls back to SIGTERM when the channel is gone', async () => {
    const worker = new FakeWorker();
    const record = new WorkerRecord(worker, 0, Date.now(), false);
    requestStop(record, {
      hub: new ControlChannel(false),
      mode: 'shutdown',
      shutdownTimeoutMs: 1_000,
      logger,
    });
    await wait(5);
    expect(worker.signals).toEqual(['SIGTERM']);
    record.clearTimer();
  });
});
