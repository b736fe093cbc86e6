import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type BroadcastTransportStatus } from '../transport/broadcast-transport.js';
import { BroadcastWatchdog, type WatchdogParams } from './broadcast-watchdog.js';

/** A watchdog whose pings echo while `link.up`, with what it did recorded. */
function setUp(overrides: Partial<WatchdogParams> = {}) {
  const link = { up: true, resubscribes: 0, reconnecting: false, ticks: 0 };
  const lines: string[] = [];
  const statuses: BroadcastTransportStatus[] = [];
  const watchdog: BroadcastWatchdog = new BroadcastWatchdog({
    intervalMs: 100,
    timeoutMs: 300,
    ping: () => {
      if (link.up) queueMicrotask(() => watchdog.echo());
      return Promise.resolve();
    },
    resubscribe: () => {
      if (link.reconnecting) return false;
      link.resubscribes++;
      return true;
    },
    onTick: () => link.ticks++,
    log: { warn: (line) => lines.push(`warn ${line}`), log: (line) => lines.push(`log ${line}`) },
    subject: 'channel c',
    ...overrides,
  });
  watchdog.status$.subscribe((status) => statuses.push(status));
  return { watchdog, link, lines, statuses };
}

describe('BroadcastWatchdog', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stays healthy while its pings come back', async () => {
    const { watchdog, link, lines, statuses } = setUp();
    watchdog.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(statuses.map((s) => s.state)).toEqual(['healthy']);
    expect(lines).toEqual([]);
    expect(link.resubscribes).toBe(0);
    expect(link.ticks).toBe(100);
    watchdog.stop();
  });

  it('degrades after timeoutMs without an echo, resubscribes, and recovers on the next echo', async () => {
    const { watchdog, link, lines, statuses } = setUp();
    watchdog.start();
    await jest.advanceTimersByTimeAsync(1_000);
    link.up = false;
    await jest.advanceTimersByTimeAsync(400);
    expect(watchdog.degraded).toBe(true);
    expect(statuses.map((s) => s.state)).toEqual(['healthy', 'degraded']);
    expect(statuses[1]?.reason).toMatch(/no echo of its own ping for 3\d\d ms/);
    expect(link.resubscribes).toBe(1);
    expect(watchdog.resubscribes).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^warn Broadcasts on channel c may be missed/)]);
    link.up = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(watchdog.degraded).toBe(false);
    expect(statuses.map((s) => s.state)).toEqual(['healthy', 'degraded', 'healthy']);
    expect(lines[1]).toMatch(/^log Broadcasts on channel c flow again/);
    watchdog.stop();
  });

  it('resubscribes again every timeoutMs while no echo comes, and reports one degrade', async () => {
    const { watchdog, link, statuses } = setUp();
    watchdog.start();
    link.up = false;
    await jest.advanceTimersByTimeAsync(1_300);
    expect(link.resubscribes).toBe(4);
    expect(statuses.map((s) => s.state)).toEqual(['healthy', 'degraded']);
    watchdog.stop();
  });

  it('does not count a resubscribe while the subscriber is reconnecting by itself', async () => {
    const { watchdog, link } = setUp();
    watchdog.start();
    link.up = false;
    link.reconnecting = true;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(watchdog.degraded).toBe(true);
    expect(watchdog.resubscribes).toBe(0);
    watchdog.stop();
  });

  it('names a failing ping in the reason, and sends one ping at a time', async () => {
    let pings = 0;
    const { watchdog, statuses } = setUp({
      ping: () => {
        pings++;
        return pings === 1 ? Promise.reject(new Error('Connection is closed.')) : new Promise(() => {});
      },
    });
    watchdog.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(statuses[1]?.reason).toMatch(/its last ping failed: Connection is closed$/);
    expect(pings).toBe(2);
    // Pings that cannot leave say nothing about the subscription: no resubscribe.
    expect(watchdog.resubscribes).toBe(0);
    watchdog.stop();
  });

  it('resubscribes once pings are published again but still do not come back', async () => {
    let publishing = false;
    const { watchdog, link } = setUp({
      ping: () => (publishing ? Promise.resolve() : Promise.reject(new Error('Connection is closed.'))),
    });
    link.up = false;
    watchdog.start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(watchdog.degraded).toBe(true);
    expect(link.resubscribes).toBe(0);
    publishing = true;
    await jest.advanceTimersByTimeAsync(200);
    expect(link.resubscribes).toBe(1);
    await jest.advanceTimersByTimeAsync(300);
    expect(link.resubscribes).toBe(2);
    watchdog.stop();
  });

  it('clears its timer and completes status$ on stop(); its timer never holds the process', async () => {
    const { watchdog, link } = setUp();
    let completed = false;
    watchdog.status$.subscribe({ complete: () => (completed = true) });
    watchdog.start();
    expect(jest.getTimerCount()).toBe(1);
    watchdog.stop();
    watchdog.stop();
    expect(completed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(link.ticks).toBe(0);
    watchdog.start();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('BroadcastWatchdog timer', () => {
  it('is unref()ed', () => {
    const { watchdog } = setUp();
    const spy = jest.spyOn(globalThis, 'setInterval');
    watchdog.start();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    watchdog.stop();
  });
});
