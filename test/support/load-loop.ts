import { Agent } from 'node:http';
import { freshRequest } from './fresh-http.js';

/** What a load loop counted. */
export interface LoadLoopStats {
  ok: number;
  failed: number;
  /** Failures by cause: an HTTP status or a network error code. */
  failures: Record<string, number>;
  /** Responses that came back but said the user was not who the cookie belonged to. */
  wrongSession: number;
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
}

/**
 * Bounded client loops against 127.0.0.1 for fault tests: each loop sends
 * one request at a time until stopped (or `maxDurationMs`), and every
 * answer is counted.
 */
export class LoadLoop {
  readonly stats: LoadLoopStats = { ok: 0, failed: 0, failures: {}, wrongSession: 0 };
  private stopped = false;
  private readonly agent: Agent | undefined;
  private readonly loops: Promise<void>[] = [];

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

  /** Stops the loops, waits for their last requests, and returns the counts. */
  async stop(): Promise<LoadLoopStats> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.agent?.destroy();
    return this.stats;
  }

  private async runLoop(loop: number, deadline: number): Promise<void> {
    for (let n = 0; !this.stopped && Date.now() < deadline; n++) {
      const { path, cookie, expectUser } = this.options.next(loop, n);
      try {
        const reply = await freshRequest(`${this.options.url}${path}`, {
          cookie,
          agent: this.agent,
          timeoutMs: this.options.requestTimeoutMs ?? 10_000,
        });
        if (reply.status >= 200 && reply.status < 400) {
          this.stats.ok++;
          if (
            expectUser !== undefined &&
            (reply.json as { user?: unknown } | undefined)?.user !== expectUser
          ) {
            this.stats.wrongSession++;
          }
        } else {
          this.fail(`HTTP ${reply.status}`);
        }
      } catch (error) {
        const failure = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
        const cause = failure.code ?? failure.message;
        // A reset of a new connection means the server was going away; on a reused one, it cut a request.
        this.fail(
          cause === 'ECONNRESET' && failure.reusedSocket === false ? 'ECONNRESET on a new connection' : cause,
        );
      }
    }
  }

  private fail(cause: string): void {
    this.stats.failed++;
    this.stats.failures[cause] = (this.stats.failures[cause] ?? 0) + 1;
  }
}
