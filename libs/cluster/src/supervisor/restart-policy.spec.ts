import { describe, expect, it } from '@jest/globals';
import { SlotRestartPolicy, decideAfterExit, exitReason, isCleanStop } from './restart-policy.js';

const options = {
  initialDelayMs: 100,
  maxDelayMs: 1000,
  factor: 2,
  stableAfterMs: 5000,
  maxRestarts: 4,
  windowMs: 10_000,
};

describe('SlotRestartPolicy', () => {
  it('backs off exponentially up to maxDelayMs', () => {
    const policy = new SlotRestartPolicy({ ...options, maxRestarts: 100, windowMs: 1 });
    const delays = Array.from({ length: 6 }, (_, i) => {
      const decision = policy.recordFailure(i * 10, null);
      return decision.action === 'respawn' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('resets the backoff after a worker stayed ready for stableAfterMs', () => {
    const policy = new SlotRestartPolicy({ ...options, maxRestarts: 100, windowMs: 1 });
    policy.recordFailure(0, null);
    policy.recordFailure(10, null);
    expect(policy.recordFailure(20_000, 14_000)).toMatchObject({ action: 'respawn', delayMs: 100 });
    expect(policy.recordFailure(20_100, 20_050)).toMatchObject({ action: 'respawn', delayMs: 200 });
  });

  it('gives up after more than maxRestarts failures within windowMs, and forgets old failures', () => {
    const policy = new SlotRestartPolicy(options);
    for (let i = 0; i < 4; i++) expect(policy.recordFailure(i * 1000, null).action).toBe('respawn');
    expect(policy.recordFailure(4000, null)).toEqual({ action: 'give-up', failures: 5 });

    const spaced = new SlotRestartPolicy(options);
    for (let i = 0; i < 10; i++) expect(spaced.recordFailure(i * 6000, null).action).toBe('respawn');
  });
});

describe('decideAfterExit', () => {
  const crash = {
    stopRequested: false,
    clusterStopping: false,
    isReplacement: false,
    servesSlot: true,
    replacementStarting: false,
  };

  it('reads each exit the way the supervisor acts on it', () => {
    expect(decideAfterExit(crash)).toBe('failure');
    expect(decideAfterExit({ ...crash, stopRequested: true })).toBe('expected');
    expect(decideAfterExit({ ...crash, clusterStopping: true })).toBe('expected');
    expect(decideAfterExit({ ...crash, isReplacement: true, servesSlot: false })).toBe('replacement-failed');
    expect(decideAfterExit({ ...crash, isReplacement: true, servesSlot: true })).toBe('failure');
    expect(decideAfterExit({ ...crash, replacementStarting: true })).toBe('replacement-pending');
  });

  it('counts a stopped worker as clean when it exited 0 or died of the group’s stop signal, never when killed', () => {
    expect(isCleanStop('stopped', 0, null)).toBe(true);
    expect(isCleanStop('stopped', null, 'SIGINT')).toBe(true);
    expect(isCleanStop('stopped', 1, null)).toBe(false);
    expect(isCleanStop('shutdown-timeout', null, 'SIGKILL')).toBe(false);
    expect(isCleanStop('crashed', null, 'SIGINT')).toBe(false);
  });

  it('names the exit: the recorded kill reason first, then stopped or crashed', () => {
    expect(exitReason('ready-timeout', true)).toBe('ready-timeout');
    expect(exitReason(null, true)).toBe('stopped');
    expect(exitReason(null, false)).toBe('crashed');
  });
});
