/** The most memory one `POST /api/chaos/leak` may add, MiB. */
export const MAX_LEAK_MB = 1024;
/** The longest block one `POST /api/chaos/block` may cause, ms. */
export const MAX_BLOCK_MS = 120_000;

const MIB = 1024 * 1024;
/** What this process holds on purpose: filled buffers, so the pages count in its RSS. */
const held: Buffer[] = [];

/** MiB filled per event-loop turn: a leak grows while the worker keeps serving. */
const MIB_PER_TURN = 8;

/**
 * Holds `mb` more MiB until the process exits, filled a few MiB per event-loop turn (filling
 * hundreds of MiB at once would block the worker for seconds, failing its own requests, which is
 * another fault than a leak); resolves with the MiB held in all.
 */
export async function holdMemory(mb: number): Promise<number> {
  for (let i = 0; i < mb; i++) {
    held.push(Buffer.alloc(MIB, 1));
    if (i % MIB_PER_TURN === MIB_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return held.length;
}

/**
 * Blocks the event loop for `ms`, starting once the current request's answer is written (a timer
 * runs after the I/O of this turn): nothing else of this process runs meanwhile, heartbeats
 * included.
 */
export function blockEventLoop(ms: number): void {
  setTimeout(() => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy: this is the fault
    }
  }, 20);
}
