import { Logger, type LoggerService } from '@nestjs/common';
import type { PrimaryRuntime } from '@nest-hive/cluster';
import { SCALE_WORKERS, type ScaleWorkersReply } from './scale-workers.topic.js';

/** How long the primary waits for a scaling to be refused before it answers that it runs. */
const REFUSAL_WINDOW_MS = 50;

/**
 * Runs in the primary and scales the cluster for the console's buttons: it answers once the
 * scaling has started (new workers take seconds to be ready, old ones to drain), or with the
 * reason it was refused at once. A later failure (a new slot in a crash loop) is logged; the
 * worker table shows it too.
 *
 * @param runtime - the primary runtime whose endpoint answers the console's workers.
 * @param scale - `handle.scale` of the cluster.
 * @returns a function that stops answering.
 */
export function attachWorkerScaler(
  runtime: Pick<PrimaryRuntime, 'handle'>,
  scale: (workers: number) => Promise<void>,
  logger: Pick<LoggerService, 'warn'> = new Logger('Console'),
): () => void {
  return runtime.handle(SCALE_WORKERS, async ({ workers }, context): Promise<ScaleWorkersReply> => {
    const scaling = scale(workers);
    const refusal = await Promise.race<string | undefined>([
      scaling.then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), REFUSAL_WINDOW_MS)),
    ]);
    if (refusal !== undefined) return { outcome: 'refused', reason: refusal };
    scaling.catch((error: unknown) => {
      logger.warn(`Scaling to ${workers} worker(s) failed: ${String(error)}`);
    });
    logger.warn(`Worker ${String(context.from)} asked to scale to ${workers} worker(s)`);
    return { outcome: 'scaling', desired: workers };
  });
}
