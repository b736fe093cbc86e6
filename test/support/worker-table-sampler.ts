import type { DemoCluster, DemoWorker } from './demo-cluster.js';

/** One look at the demo's worker table. */
export interface WorkerTableSample {
  at: number;
  ready: number;
  workers: DemoWorker[];
}

/**
 * Polls the demo's worker table (`/api/cluster/workers`, on new connections)
 * every `everyMs` until stopped, to see how many workers were ready at each
 * moment of, say, a rolling restart. Polls that fail are left out.
 */
export class WorkerTableSampler {
  readonly samples: WorkerTableSample[] = [];
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly demo: DemoCluster,
    private readonly everyMs = 20,
  ) {}

  /** Starts polling. */
  start(): this {
    this.running = this.run();
    return this;
  }

  /** Stops polling and returns the samples. */
  async stop(): Promise<WorkerTableSample[]> {
    this.stopped = true;
    await this.running;
    return this.samples;
  }

  /** The fewest ready workers any sample saw. */
  minReady(): number {
    return Math.min(...this.samples.map((sample) => sample.ready));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const workers = await this.demo.workers().catch(() => undefined);
      if (workers) {
        this.samples.push({
          at: Date.now(),
          ready: workers.filter((w) => w.state === 'ready').length,
          workers,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, this.everyMs));
    }
  }
}
