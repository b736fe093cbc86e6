/** What the console routes need to know of the demo's configuration. */
export interface ConsoleOptions {
  /** Whether the kill route may kill workers (`DEMO_ALLOW_KILL=1`). */
  readonly allowKill: boolean;
  /** Whether the page shows the chaos buttons (`DEMO_ALLOW_CHAOS=1`). */
  readonly allowChaos: boolean;
}

/** Injection token of {@link ConsoleOptions}. */
export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');
