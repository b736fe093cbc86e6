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
