import { Agent } from 'node:http';
import { freshRequest } from './fresh-http.js';

/** One failed request of a load loop. */
export interface LoadFailure {
  /** An HTTP status (`HTTP 503`) or a network error code; `ECONNRESET on a new connection` for resets before any answer. */
  cause: string;
  /** When it was sent and when it failed (ms since epoch). */
  sentAt: number;
  failedAt: number;
  /**
   * The worker that had served this connection before (from `x-served-by`),
   * for a failure on a reused keep-alive connection; `undefined` on a new
   * connection, whose worker the client cannot know.
   */
  workerPid: number | undefined;
}

/** What a load loop counted. */
export interface LoadLoopStats {
  /** Requests sent (all of them answered or failed by the time `stop()` resolves). */
  sent: number;
  ok: number;
  failed: number;
  /** Failures by cause: an HTTP status or a network error code. */
  failures: Record<string, number>;
  /** Each failure, in order. */
  failureLog: LoadFailure[];
  /** Responses that came back but said the user was not who the cookie belonged to. */
  wrongSession: number;
  /** Answered requests by the worker that served them (the pid in `x-served-by`, where the app sends it). */
  okByWorker: Record<number, number>;
}

/** Settings of a {@link LoadLoop}. */
export interface LoadLoopOptions {
  /** Base URL on 127.0.0.1. */
  url: string;
  /** Concurrent client loops, each with at most one request in flight. */
  concurrency: number;
  /** Reuse connections (keep-alive) or open one per request. */
  keepAlive: boolean;
  /** The request of loop `loop`'s `n`th iteration: a path, the cookie, and the user expected in `/api/whoami` answers. */
  next: (loop: number, n: number) => { path: string; cookie?: string; expectUser?: string };
  /** Hard stop: the loop ends by itself after this long, even if never stopped. */
  maxDurationMs: number;
  /** A request unanswered for this long counts as failed (`timeout`). Default 10 s. */
  requestTimeoutMs?: number;
  /** Pause of each loop between an answer and its next request (ms). Default 0: back to back. */
  pauseMs?: number;
}

function servedByPid(header: string | string[] | undefined): number | undefined {
  const pid = Number(String(header ?? '').split('/')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Bounded client loops against 127.0.0.1 for fault tests: each loop sends
 * one request at a time until halted (or `maxDurationMs`), and every
 * answer is counted, with the worker that gave it.
 */
export class LoadLoop {
  readonly stats: LoadLoopStats = {
    sent: 0,
    ok: 0,
    failed: 0,
    failures: {},
    failureLog: [],
    wrongSession: 0,
    okByWorker: {},
  };
  private stopped = false;
  private inFlight = 0;
  private readonly agent: Agent | undefined;
  private readonly loops: Promise<void>[] = [];
  /** The worker behind each open keep-alive connection, by the client's port. */
  private readonly connectionWorker = new Map<number, number>();

  constructor(private readonly options: LoadLoopOptions) {
    this.agent = options.keepAlive
      ? new Agent({ keepAlive: true, maxSockets: options.concurrency })
      : undefined;
  }

  /** Starts the loops. */
  start(): this {
    const deadline = Date.now() + this.options.maxDurationMs;
    for (let loop = 0; loop < this.options.concurrency; loop++) {
      this.loops.push(this.runLoop(loop, deadline));
    }
    return this;
  }

  /** Sends no further request (those in flight go on); returns how many are in flight. */
  halt(): number {
    this.stopped = true;
    return this.inFlight;
  }

  /** Halts, waits for the requests in flight, and returns the counts. */
  async stop(): Promise<LoadLoopStats> {
    this.halt();
    await Promise.all(this.loops);
    this.agent?.destroy();
    return this.stats;
  }

  private async runLoop(loop: number, deadline: number): Promise<void> {
    for (let n = 0; !this.stopped && Date.now() < deadline; n++) {
      const { path, cookie, expectUser } = this.options.next(loop, n);
      const sentAt = Date.now();
      this.stats.sent++;
      this.inFlight++;
      try {
        const reply = await freshRequest(`${this.options.url}${path}`, {
          cookie,
          agent: this.agent,
          timeoutMs: this.options.requestTimeoutMs ?? 10_000,
        });
        const pid = servedByPid(reply.headers['x-served-by']);
        if (pid !== undefined && reply.localPort !== undefined)
          this.connectionWorker.set(reply.localPort, pid);
        if (reply.status >= 200 && reply.status < 400) {
          this.stats.ok++;
          if (pid !== undefined) this.stats.okByWorker[pid] = (this.stats.okByWorker[pid] ?? 0) + 1;
          if (
            expectUser !== undefined &&
            (reply.json as { user?: unknown } | undefined)?.user !== expectUser
          ) {
            this.stats.wrongSession++;
          }
        } else {
          this.fail(`HTTP ${reply.status}`, sentAt, pid);
        }
      } catch (error) {
        const failure = error as NodeJS.ErrnoException & { reusedSocket?: boolean; localPort?: number };
        const cause = failure.code ?? failure.message;
        const worker =
          failure.reusedSocket === true && failure.localPort !== undefined
            ? this.connectionWorker.get(failure.localPort)
            : undefined;
        // A reset of a new connection means the server was going away; on a reused one, it cut a request.
        this.fail(
          cause === 'ECONNRESET' && failure.reusedSocket === false ? 'ECONNRESET on a new connection' : cause,
          sentAt,
          worker,
        );
      } finally {
        this.inFlight--;
      }
      const pause = this.options.pauseMs ?? 0;
      if (pause > 0 && !this.stopped) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private fail(cause: string, sentAt: number, workerPid: number | undefined): void {
    this.stats.failed++;
    this.stats.failures[cause] = (this.stats.failures[cause] ?? 0) + 1;
    this.stats.failureLog.push({ cause, sentAt, failedAt: Date.now(), workerPid });
  }
}
