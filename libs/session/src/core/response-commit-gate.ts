import type { ServerResponse } from 'node:http';
import { sendErrorResponse } from './error-response.js';
import {
  hookResponse,
  type HookedMethod,
  type ResponseHook,
  type ResponseMethods,
} from './response-hooks.js';
import { foldWriteHeadHeaders } from './write-head-headers.js';

/** What the gate asks of the session before the response goes out. */
export interface CommitParticipant {
  /** Runs before the status line and headers are written; may set headers. */
  beforeHeaders(): Promise<void> | undefined;
  /** Whether the head's commit already ran (in a framework's own hook): the head then goes out as it is. */
  headIsCommitted(): boolean;
  /** Runs before the response ends when headers went out earlier (streaming). */
  beforeEnd(): Promise<void> | undefined;
  /** Hears about a failed commit (to log it); the gate answers the client. */
  commitFailed(error: unknown): void;
}

type Call = readonly [HookedMethod, unknown[]];
type Phase = 'open' | 'headers-committed' | 'ended' | 'failed';

/**
 * Holds back the response of a request whose session has to be saved, so the
 * store write completes before the status line is sent (a client that follows
 * a redirect sees the data).
 *
 * It hooks `writeHead`, `write`, `end` and `flushHeaders` of this one
 * response (see `hookResponse`). The first of them runs the commit (headers
 * given to `writeHead` are set on the response before, so the session's
 * Set-Cookie joins them); while it
 * is pending, calls are queued in order (a `write` returns `false`, and `'drain'` follows, so piped
 * streams wait) and then replayed. When the commit fails before anything was
 * sent, the queued response is dropped and an error response sent instead;
 * after headers went out, the connection is destroyed so the client never
 * takes a failed save for success.
 */
export class ResponseCommitGate implements ResponseHook {
  private phase: Phase = 'open';
  private queue: Call[] | null = null;
  private owesDrain = false;
  private readonly original: ResponseMethods;

  constructor(
    private readonly res: ServerResponse,
    private readonly participant: CommitParticipant,
  ) {
    // A session first used while streaming can no longer change the headers.
    if (res.headersSent) this.phase = 'headers-committed';
    this.original = hookResponse(res, this);
  }

  /** Handles one call of a gated method. */
  call(method: HookedMethod, args: unknown[]): unknown {
    if (this.queue) return this.enqueue(method, args);
    // The error response replaced whatever the handler still writes.
    if (this.phase === 'failed') return method === 'write' ? false : this.res;
    let pending: Promise<void> | undefined;
    try {
      if (this.phase === 'open') {
        // Headers passed to writeHead() would replace the session's Set-Cookie: they go on the response first.
        if (method === 'writeHead' && !this.participant.headIsCommitted()) {
          args = foldWriteHeadHeaders(this.res, args);
        }
        this.phase = method === 'end' ? 'ended' : 'headers-committed';
        pending = this.participant.beforeHeaders();
      } else if (this.phase === 'headers-committed' && method === 'end') {
        this.phase = 'ended';
        pending = this.participant.beforeEnd();
      }
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (!pending) return this.invoke(method, args);
    this.queue = [];
    const result = this.enqueue(method, args);
    pending.then(
      () => this.replay(),
      (error: unknown) => this.fail(error),
    );
    return result;
  }

  private enqueue(method: HookedMethod, args: unknown[]): unknown {
    this.queue?.push([method, args]);
    if (method === 'write') {
      this.owesDrain = true;
      return false;
    }
    return this.res;
  }

  private replay(): void {
    const calls = this.queue ?? [];
    this.queue = null;
    let lastWrite = true;
    for (let i = 0; i < calls.length; i++) {
      if (this.queue) {
        // A later call started another commit: the rest waits behind it.
        (this.queue as Call[]).push(...calls.slice(i));
        return;
      }
      const [method, args] = calls[i];
      const result = this.call(method, args);
      if (method === 'write') lastWrite = result !== false;
    }
    if (this.owesDrain && !this.queue) {
      this.owesDrain = false;
      if (lastWrite) this.res.emit('drain');
    }
  }

  private fail(error: unknown): void {
    this.queue = null;
    this.phase = 'failed';
    this.participant.commitFailed(error);
    const res = this.res;
    if (res.headersSent) {
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    sendErrorResponse(res, error, {
      writeHead: (status) => this.invoke('writeHead', [status]),
      end: (body) => this.invoke('end', [body]),
    });
  }

  private invoke(method: HookedMethod, args: unknown[]): unknown {
    return Reflect.apply(this.original[method], this.res, args);
  }
}
