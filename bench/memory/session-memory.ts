/**
 * Bytes per idle session at 100 000 sessions: `MemorySessionStore` against
 * express-session's MemoryStore, each in a fresh process started with
 * `--expose-gc`. Prints one JSON line: `{ store, sessions, bytesPerSession }`.
 * Usage: node --expose-gc session-memory.js nest-hive|express-session [count]
 */
import { randomBytes } from 'node:crypto';
import { MemorySessionStore } from '@nest-hive/session';
import session from 'express-session';

const which = process.argv[2] ?? 'nest-hive';
const count = Number(process.argv[3] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const ids = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
let keep: unknown;
const before = heap();
if (which === 'nest-hive') {
  const store = new MemorySessionStore({ maxSessions: count, sweepIntervalMs: 0 });
  const now = Date.now();
  for (const id of ids) await store.set(id, { data: { visits: 1 }, createdAt: now }, 86_400_000);
  keep = store;
} else {
  const store = new session.MemoryStore();
  for (const id of ids) {
    const data = { cookie: new session.Cookie(), visits: 1 } as unknown as session.SessionData;
    await new Promise<void>((resolve, reject) =>
      store.set(id, data, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      ),
    );
  }
  keep = store;
}
const after = heap();
console.log(
  JSON.stringify({
    store: which,
    sessions: count,
    bytesPerSession: (after - before) / count,
    kept: keep !== undefined,
  }),
);
