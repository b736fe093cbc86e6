import session from 'express-session';

/** How one method of a {@link FaultyExpressStore} misbehaves. */
export type StoreFault =
  /** Works (through express-session's real `MemoryStore`). */
  | 'none'
  /** Throws synchronously. */
  | 'throw'
  /** Calls back an error. */
  | 'error'
  /** Calls back twice in a row: the answer, then an error. */
  | 'twice-at-once'
  /** Calls back the answer, then an error 30 ms later. */
  | 'twice-later'
  /** Never calls back. */
  | 'never'
  /** Calls back the real answer, but only after `lateMs`. */
  | 'late'
  /** Returns a rejected promise and never calls back. */
  | 'reject'
  /** Calls back something that is not a session. */
  | 'garbage';

type Method = 'get' | 'set' | 'destroy' | 'touch';
type Callback = (error?: unknown, value?: unknown) => void;

/**
 * A real express-session `Store` (express-session's `MemoryStore` inside)
 * whose methods can be made to misbehave one by one, as broken third-party
 * stores do.
 */
export class FaultyExpressStore extends session.Store {
  readonly inner = new session.MemoryStore();
  readonly faults: Partial<Record<Method, StoreFault>> = {};
  readonly calls: Record<Method, number> = { get: 0, set: 0, destroy: 0, touch: 0 };
  lateMs = 500;

  override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    return this.run('get', callback as Callback, (done) => this.inner.get(sid, done)) as void;
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    return this.run('set', callback as Callback, (done) => this.inner.set(sid, data, done)) as void;
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    return this.run('destroy', callback as Callback, (done) => this.inner.destroy(sid, done)) as void;
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    return this.run('touch', callback as Callback, (done) =>
      this.inner.touch(sid, data, () => done()),
    ) as void;
  }

  override length(callback: (error: unknown, length?: number) => void): void {
    this.inner.length(callback);
  }

  override clear(callback?: (error?: unknown) => void): void {
    this.inner.clear(callback);
  }

  /** Makes every method work again. */
  heal(): void {
    for (const method of Object.keys(this.faults) as Method[]) delete this.faults[method];
  }

  private run(method: Method, callback: Callback, real: (done: Callback) => void): unknown {
    this.calls[method]++;
    const fault = this.faults[method] ?? 'none';
    switch (fault) {
      case 'none':
        return real(callback);
      case 'throw':
        throw new Error(`${method} threw for the test`);
      case 'error':
        setImmediate(() => callback(new Error(`${method} failed for the test`)));
        return undefined;
      case 'twice-at-once':
        return real((error, value) => {
          callback(error, value);
          callback(new Error(`${method} answered again for the test`));
        });
      case 'twice-later':
        return real((error, value) => {
          callback(error, value);
          setTimeout(() => callback(new Error(`${method} answered again for the test`)), 30);
        });
      case 'never':
        return undefined;
      case 'late':
        setTimeout(() => real(callback), this.lateMs);
        return undefined;
      case 'reject':
        return Promise.reject(new Error(`${method} rejected for the test`));
      case 'garbage':
        setImmediate(() => callback(null, method === 'get' ? 'not a session' : undefined));
        return undefined;
    }
  }
}
