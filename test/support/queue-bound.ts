import { expect } from '@jest/globals';

/**
 * The most a flood may get through before Node's `process.send` reports a
 * full backlog: 2 MiB, several times what the socket buffer and Node's own
 * write queue take here (some 400 KiB), and far less than the bounds tested.
 */
export const WRITTEN_BEFORE_BACKLOG_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Asserts that a flood of numbered messages, fired while the receiver was
 * blocked, met a queue bound of `bound`: the accepted ones are the first N in
 * order (refusals only after the queue filled), and N is the bound plus what
 * was written before the backlog showed, which is at most
 * {@link WRITTEN_BEFORE_BACKLOG_MAX_BYTES}. Returns that number written before.
 */
export function expectQueueBound(accepted: readonly number[], bound: number, messageBytes: number): number {
  expect(accepted).toEqual(Array.from({ length: accepted.length }, (_, i) => i));
  const writtenBefore = accepted.length - bound;
  const most = Math.ceil(WRITTEN_BEFORE_BACKLOG_MAX_BYTES / messageBytes);
  const summary = `${accepted.length} accepted with a queue bound of ${bound}: ${writtenBefore} written before the backlog (at most ${most})`;
  expect({ summary, queueFilled: writtenBefore >= 0, withinBound: writtenBefore <= most }).toEqual({
    summary,
    queueFilled: true,
    withinBound: true,
  });
  return writtenBefore;
}
