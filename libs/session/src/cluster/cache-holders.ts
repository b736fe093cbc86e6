import { type ClusterMessaging, NoHandlerError } from '@nest-hive/cluster';
import { MAX_CACHE_IDS, SESSION_CACHE_INVALIDATE } from './cluster-session.topics.js';

/** One worker whose read cache holds a lease. */
interface Holder {
  /** When its lease ends, on this process' monotonic clock. */
  leaseEnd: number;
  /** The sessions it read (it may hold a copy). */
  readonly held: Set<string>;
  /** Settled when the worker is gone. */
  readonly gone: { promise: Promise<void>; settle: () => void };
  /** Invalidations not sent yet, and the writes waiting for them. */
  batch: { ids: Set<string>; all: boolean; done: Promise<void>; settle: () => void } | undefined;
}

/** A promise and the function that settles it. */
function settlement(): { promise: Promise<void>; settle: () => void } {
  let settle!: () => void;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

/** What {@link CacheHolders} needs. */
export interface CacheHoldersOptions {
  /** The primary's endpoint. */
  readonly messaging: ClusterMessaging;
  /** A monotonic clock in ms (`performance.now`). */
  readonly now?: () => number;
  /**
   * Sends one invalidation to a worker and resolves on its acknowledgement. Default: a request on
   * `SESSION_CACHE_INVALIDATE`.
   */
  readonly post?: (worker: number, ids: string[], all: boolean, timeoutMs: number) => Promise<unknown>;
}

/**
 * The primary's record of which worker may hold a copy of which session, and the invalidations
 * that keep those copies coherent: a write is acknowledged only once every other worker that read
 * the session has dropped its copy, or its lease has run out (a stalled or dead worker cannot
 * serve copies past its lease). Invalidations of one event-loop turn go to each worker in one
 * message.
 */
export class CacheHolders {
  private readonly holders = new Map<number, Holder>();
  private readonly now: () => number;

  /** @param options - the endpoint and the clock. */
  constructor(private readonly options: CacheHoldersOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Worker `worker` asked for a lease of `leaseMs` and no longer holds the `released` ids. */
  grant(worker: number, leaseMs: number, released: readonly string[]): void {
    let holder = this.holders.get(worker);
    if (!holder) {
      holder = { leaseEnd: 0, held: new Set(), gone: settlement(), batch: undefined };
      this.holders.set(worker, holder);
    }
    holder.leaseEnd = this.now() + leaseMs;
    for (const id of released) holder.held.delete(id);
  }

  /** Worker `worker` is being answered a read of session `id` (a worker without a lease keeps nothing). */
  noteRead(worker: number | 'primary', id: string): void {
    if (worker !== 'primary') this.holders.get(worker)?.held.add(id);
  }

  /**
   * Session `id` changed (or may have) at `writer`'s request: resolves once every other worker that
   * read it has dropped its copy or its lease has ended. The writer drops its own copy when
   * answered, unless `writerKeeps` (its own touch, which it applies to its copy).
   */
  invalidate(id: string, writer: number | 'primary', writerKeeps = false): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [worker, holder] of this.holders) {
      if (worker === writer) {
        if (!writerKeeps) holder.held.delete(id);
        continue;
      }
      if (!holder.held.delete(id)) continue;
      const batch = this.batchOf(worker, holder);
      batch.ids.add(id);
      waits.push(batch.done);
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  /**
   * Sessions `ids` changed at `writer`'s request somewhere this primary cannot see (a shared
   * server): resolves once every other worker with a lease dropped its copies or its lease ended.
   */
  invalidateOthers(ids: readonly string[], writer: number | 'primary'): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [worker, holder] of this.holders) {
      if (worker === writer) continue;
      const batch = this.batchOf(worker, holder);
      for (const id of ids) batch.ids.add(id);
      waits.push(batch.done);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Every session changed (`clear()`): resolves once every worker dropped its copies or its lease ended. */
  invalidateAll(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [worker, holder] of this.holders) {
      holder.held.clear();
      const batch = this.batchOf(worker, holder);
      batch.all = true;
      waits.push(batch.done);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Worker `worker` is gone: nothing waits for it any more. */
  forget(worker: number): void {
    const holder = this.holders.get(worker);
    if (!holder) return;
    this.holders.delete(worker);
    holder.gone.settle();
    holder.batch?.settle();
  }

  /** How many sessions the workers may hold copies of, per worker (for tests and metrics). */
  heldCounts(): Map<number, number> {
    return new Map([...this.holders].map(([worker, holder]) => [worker, holder.held.size]));
  }

  private batchOf(worker: number, holder: Holder): NonNullable<Holder['batch']> {
    if (holder.batch) return holder.batch;
    const { promise: done, settle } = settlement();
    const batch = { ids: new Set<string>(), all: false, done, settle };
    holder.batch = batch;
    setImmediate(() => {
      if (holder.batch === batch) holder.batch = undefined;
      void this.send(worker, holder, batch).finally(settle);
    });
    return batch;
  }

  /** Sends one batch; resolves on the worker's acknowledgement or, failing that, when its lease ends. */
  private async send(worker: number, holder: Holder, batch: NonNullable<Holder['batch']>): Promise<void> {
    const ids = [...batch.ids];
    const parts: string[][] = batch.all ? [[]] : [];
    for (let from = 0; !batch.all && from < ids.length; from += MAX_CACHE_IDS) {
      parts.push(ids.slice(from, from + MAX_CACHE_IDS));
    }
    // A lease renewed after these messages is answered after them: the lease that counts is this one.
    const leaseEnd = holder.leaseEnd;
    const leaseLeft = (): number => leaseEnd - this.now();
    if (leaseLeft() <= 0) {
      // It serves no copy now, and its next lease is answered after these messages: no wait.
      for (const part of parts) this.post(worker, part, batch.all, 1_000).catch(() => undefined);
      return;
    }
    try {
      await Promise.all(parts.map((part) => this.post(worker, part, batch.all, leaseLeft())));
    } catch (error) {
      // Its cache is closed (the app is stopping): it holds no copies.
      if (error instanceof NoHandlerError) return;
      // Stalled, or gone: its copies are unusable once its lease ends.
      let timer: NodeJS.Timeout | undefined;
      const leaseEnds = new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, Math.max(0, Math.ceil(leaseLeft())))),
      );
      await Promise.race([leaseEnds, holder.gone.promise]);
      clearTimeout(timer);
    }
  }

  private async post(worker: number, ids: string[], all: boolean, timeoutMs: number): Promise<void> {
    const wait = Math.max(1, Math.ceil(timeoutMs));
    if (this.options.post) await this.options.post(worker, ids, all, wait);
    else
      await this.options.messaging.request(
        SESSION_CACHE_INVALIDATE,
        { ids, all },
        { to: worker, timeoutMs: wait },
      );
  }
}
