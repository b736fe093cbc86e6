import { expect } from '@jest/globals';

/**
 * How late a timer-driven event may come in these tests: 400 ms, for a loaded
 * 2-core machine where several suites and other work share the CPU. A promise
 * such as "killed at readyTimeoutMs" is checked as `[ms - 50, ms + 400]`, so a
 * timer that fires twice as late (for delays of 400 ms or more) fails.
 */
export const TIMING_TOLERANCE_MS = 400;

/** Timers may fire this much early relative to the test's clock (the event's own clock starts a little later). */
const EARLY_MS = 50;

/**
 * Asserts that `actualMs` is `expectedMs`, no earlier than 50 ms before it and
 * no later than {@link TIMING_TOLERANCE_MS} (or `toleranceMs`) after it.
 */
export function expectOnTime(
  label: string,
  actualMs: number,
  expectedMs: number,
  toleranceMs = TIMING_TOLERANCE_MS,
): void {
  const window = `${label}: ${actualMs} ms, expected ${expectedMs} ms (−${EARLY_MS} / +${toleranceMs})`;
  expect({ window, early: actualMs < expectedMs - EARLY_MS }).toEqual({ window, early: false });
  expect({ window, late: actualMs > expectedMs + toleranceMs }).toEqual({ window, late: false });
}

/** Asserts that `actualMs` is at most `boundMs` plus {@link TIMING_TOLERANCE_MS}. */
export function expectWithin(
  label: string,
  actualMs: number,
  boundMs: number,
  toleranceMs = TIMING_TOLERANCE_MS,
): void {
  const window = `${label}: ${actualMs} ms, bound ${boundMs} ms (+${toleranceMs})`;
  expect({ window, late: actualMs > boundMs + toleranceMs }).toEqual({ window, late: false });
}
