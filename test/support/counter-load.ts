/**
 * How a test writes and reads one client's counter in its session. `write` sends the next
 * value and resolves the value the server acknowledged (a 200 naming it), or `undefined` for
 * any other outcome (an error status, a dropped connection). `read` resolves the value stored,
 * and the value stored once it has answered (the same, unless reading is itself a write, as
 * with the demo's visit counter).
 */
export interface CounterRoute {
  write(cookie: string, value: number): Promise<number | undefined>;
  read(cookie: string): Promise<{ stored: number; now: number }>;
}

/** One client of a {@link CounterLoad}: its session, and what it knows of its counter. */
export interface CounterClient {
  readonly cookie: string;
  /** The highest value the server acknowledged (a 200 naming it). */
  acked: number;
  /** The highest value it sent: every value from 1 to here was sent, one at a time, in order. */
  sent: number;
  /** Acknowledgements received in the current load. */
  ackedThisLoad: number;
}

/** A write that was not acknowledged: every one after the kill, none before. */
export interface CounterFailure {
  readonly cookie: string;
  /** When it failed (ms since epoch). */
  readonly at: number;
  readonly what: string;
}

/**
 * Client loops that each write an increasing counter into their own session, one request at a
 * time (value `acked + 1`, then the next once it is acknowledged), until told to stop or until a
 * write is not acknowledged, as every write is once the server is killed.
 */
export class CounterLoad {
  /** Writes not acknowledged (each ends its loop), in order. */
  readonly failures: CounterFailure[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  /**
   * @param clients - the sessions to write, each by one loop.
   * @param route - how to write a value.
   * @param maxDurationMs - hard stop: each loop ends by itself after this long.
   */
  constructor(
    private readonly clients: readonly CounterClient[],
    private readonly route: CounterRoute,
    private readonly maxDurationMs: number,
  ) {}

  /** Starts one loop per client. */
  start(): this {
    const deadline = Date.now() + this.maxDurationMs;
    for (const client of this.clients) {
      client.ackedThisLoad = 0;
      this.loops.push(this.loop(client, deadline));
    }
    return this;
  }

  /** Whether every client has had at least `count` writes acknowledged in this load. */
  everyClientAcked(count: number): boolean {
    return this.clients.every((client) => client.ackedThisLoad >= count);
  }

  /** Stops the loops and waits until every request they sent is answered or has failed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(client: CounterClient, deadline: number): Promise<void> {
    while (!this.stopped && Date.now() < deadline) {
      const value = client.acked + 1;
      client.sent = Math.max(client.sent, value);
      let what: string;
      try {
        const answer = await this.route.write(client.cookie, value);
        if (answer === value) {
          client.acked = value;
          client.ackedThisLoad++;
          continue;
        }
        what = answer === undefined ? `write of ${value} not acknowledged` : `wrote ${value}, got ${answer}`;
      } catch (error) {
        what = `write of ${value} failed: ${(error as Error).message}`;
      }
      this.failures.push({ cookie: client.cookie, at: Date.now(), what });
      return;
    }
  }
}
