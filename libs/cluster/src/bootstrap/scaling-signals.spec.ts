import { describe, expect, it } from '@jest/globals';
import { scalingSignals } from './scaling-signals.js';

/** A cluster whose scalings take a while and whose desired count moves when one starts. */
function fakeCluster(start: number, refuse?: string) {
  let desired = start;
  const scalings: number[] = [];
  const logs: string[] = [];
  let finish: () => void = () => undefined;
  const handlers = scalingSignals({
    desired: () => desired,
    scale: (workers) => {
      if (refuse) return Promise.reject(new Error(refuse));
      scalings.push(workers);
      desired = workers;
      return new Promise<void>((resolve) => (finish = resolve));
    },
    logger: { log: (line: string) => logs.push(line), error: (line: string) => logs.push(`error: ${line}`) },
  });
  return { handlers, scalings, logs, finish: () => finish(), desired: () => desired };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('scalingSignals', () => {
  it('adds and removes one worker a signal, and signals during a scaling move its target', async () => {
    const cluster = fakeCluster(2);
    cluster.handlers.SIGTTIN('SIGTTIN');
    await turn();
    expect(cluster.scalings).toEqual([3]);
    // Three more while the first scaling runs: the cluster goes on to 3 + 2 - 1 = 4, once.
    cluster.handlers.SIGTTIN('SIGTTIN');
    cluster.handlers.SIGTTIN('SIGTTIN');
    cluster.handlers.SIGTTOU('SIGTTOU');
    cluster.finish();
    await turn();
    expect(cluster.scalings).toEqual([3, 4]);
    cluster.finish();
    await turn();
    expect(cluster.scalings).toEqual([3, 4]);
    expect(cluster.logs).toEqual([
      'SIGTTIN received: scaling to 3 worker(s)',
      'SIGTTIN received: scaling to 4 worker(s)',
      'SIGTTIN received: scaling to 5 worker(s)',
      'SIGTTOU received: scaling to 4 worker(s)',
    ]);
  });

  it('never goes below one worker', async () => {
    const cluster = fakeCluster(1);
    cluster.handlers.SIGTTOU('SIGTTOU');
    await turn();
    expect(cluster.scalings).toEqual([]);
    expect(cluster.logs).toEqual(['SIGTTOU received: already at one worker, the fewest there can be']);
  });

  it('logs a refusal and lets the next signal try again', async () => {
    const cluster = fakeCluster(2, 'Cannot scale while the cluster is restarting; wait for it to finish.');
    cluster.handlers.SIGTTIN('SIGTTIN');
    await turn();
    cluster.handlers.SIGTTIN('SIGTTIN');
    await turn();
    expect(cluster.logs).toEqual([
      'SIGTTIN received: scaling to 3 worker(s)',
      'error: Cannot scale while the cluster is restarting; wait for it to finish.',
      'SIGTTIN received: scaling to 3 worker(s)',
      'error: Cannot scale while the cluster is restarting; wait for it to finish.',
    ]);
  });
});
