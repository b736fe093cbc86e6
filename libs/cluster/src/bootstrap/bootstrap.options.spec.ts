import { availableParallelism } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { InvalidClusterOptionsError } from '../cluster.errors.js';
import {
  DEFAULT_CLUSTER_OPTIONS,
  DEFAULT_RESTART_OPTIONS,
  resolveClusterOptions,
} from './bootstrap.options.js';

const worker = (): Promise<never> => Promise.reject(new Error('not called'));

describe('resolveClusterOptions', () => {
  it('makes the default crash-loop guard reachable: maxRestarts + 1 failures in a row fit well inside windowMs', () => {
    const { restart } = resolveClusterOptions({ worker });
    let backoffMs = 0;
    for (let failure = 0; failure < restart.maxRestarts; failure++) {
      backoffMs += Math.min(restart.maxDelayMs, restart.initialDelayMs * restart.factor ** failure);
    }
    // A worker that fails at once is given up after this much backoff; leave room for its start time.
    expect(backoffMs).toBeLessThan(15_000);
    expect(backoffMs).toBeLessThan(restart.windowMs / 2);
  });

  it('refuses restart settings under which the crash-loop guard could never fire, naming the fix', () => {
    const unreachable = {
      initialDelayMs: 250,
      maxDelayMs: 30_000,
      factor: 2,
      maxRestarts: 10,
      windowMs: 60_000,
    };
    expect(() => resolveClusterOptions({ worker, restart: unreachable })).toThrow(InvalidClusterOptionsError);
    expect(() => resolveClusterOptions({ worker, restart: unreachable })).toThrow(
      /restart\.windowMs.*can never fire.*121750 ms/,
    );
    expect(() =>
      resolveClusterOptions({ worker, restart: { ...unreachable, windowMs: 130_000 } }),
    ).not.toThrow();
  });

  it('merges the documented defaults once', () => {
    const resolved = resolveClusterOptions({ worker });
    expect(resolved).toMatchObject({
      workers: availableParallelism(),
      serialization: DEFAULT_CLUSTER_OPTIONS.serialization,
      readyTimeoutMs: DEFAULT_CLUSTER_OPTIONS.readyTimeoutMs,
      shutdownTimeoutMs: DEFAULT_CLUSTER_OPTIONS.shutdownTimeoutMs,
      reloadSignal: 'SIGHUP',
      restart: DEFAULT_RESTART_OPTIONS,
      env: {},
    });
  });

  it('keeps given values, fills the rest of restart, and lets reloadSignal be switched off', () => {
    const resolved = resolveClusterOptions({
      worker,
      workers: 0,
      restart: { maxRestarts: 2, initialDelayMs: undefined },
      reloadSignal: null,
      serialization: 'advanced',
    });
    expect(resolved.workers).toBe(0);
    expect(resolved.restart).toEqual({ ...DEFAULT_RESTART_OPTIONS, maxRestarts: 2 });
    expect(resolved.reloadSignal).toBeNull();
    expect(resolved.serialization).toBe('advanced');
  });

  it.each([
    ['workers', { workers: -1 }],
    ['workers', { workers: 1.5 }],
    ['readyTimeoutMs', { readyTimeoutMs: 0 }],
    ['restart.factor', { restart: { factor: 0.5 } }],
    ['restart.maxDelayMs', { restart: { initialDelayMs: 500, maxDelayMs: 100 } }],
    ['maxQueuedMessages', { maxQueuedMessages: 0 }],
  ])('rejects a bad %s with a named error', (option, given) => {
    expect(() => resolveClusterOptions({ worker, ...given })).toThrow(InvalidClusterOptionsError);
    expect(() => resolveClusterOptions({ worker, ...given })).toThrow(option);
  });
});
