import { describe, expect, it } from '@jest/globals';
import * as barrel from '../cluster.errors.js';
import { ClusterError, describeAddress } from './cluster-error.js';
import * as lifecycle from './lifecycle.errors.js';
import * as messaging from './messaging.errors.js';

describe('the cluster errors', () => {
  it('are each in one area, and all gathered by cluster.errors', () => {
    const byArea = { ClusterError, ...lifecycle, ...messaging };
    expect(Object.keys(lifecycle).filter((name) => name in messaging)).toEqual([]);
    expect(Object.keys(barrel).sort()).toEqual(Object.keys(byArea).sort());
    for (const [name, value] of Object.entries(barrel))
      expect(value).toBe(byArea[name as keyof typeof byArea]);
  });

  it('extend ClusterError and carry their class name', () => {
    const errors = [
      new lifecycle.ReadyTimeoutError(1, 100),
      new lifecycle.InvalidClusterOptionsError('workers', 'expected an integer'),
      new messaging.NoHandlerError('t', 3),
      new messaging.DuplicateTopicValidatorError('t'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ClusterError);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('name processes the same way in every message', () => {
    expect(describeAddress('primary')).toBe('the primary');
    expect(describeAddress(4)).toBe('worker 4');
    expect(new messaging.NoHandlerError('t', 'primary').message).toContain('on the primary');
    expect(new messaging.WorkerExitedError(4, 't').message).toContain('Worker 4');
  });
});
