/**
 * Issue 27, point 5: a cluster started on a port another process holds stops at once, exit code 1,
 * naming the port and the error, without forking a single replacement (it used to respawn workers
 * for 28–37 s, each failing its `listen()` in turn, until every slot was in a crash loop).
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DEMO_SECRET } from '../support/demo-cluster.js';
import { startNode, type RunningProcess } from '../support/processes.js';

/** "Within a few seconds": the demo's start-up on a loaded 2-core machine, and no backoff at all. */
const EXIT_BOUND_MS = 15_000;

describe('a taken port', () => {
  let blocker: Server | undefined;
  let demo: RunningProcess | undefined;

  afterEach(async () => {
    await demo?.stop();
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  });

  it('stops the cluster at once, exit code 1, naming the port and EADDRINUSE, with no worker respawned', async () => {
    // Another process' listener on every address (the demo listens on every address too).
    const server = createServer();
    blocker = server;
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as { port: number };

    const startedAt = Date.now();
    demo = startNode('apps/demo/dist/main.js', {
      PORT: String(port),
      WORKERS: '2',
      SESSION_SECRET: DEMO_SECRET,
    });
    const code = await Promise.race([
      demo.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), EXIT_BOUND_MS)),
    ]);
    const output = demo.output();
    expect({ code, output }).toEqual({ code: 1, output });
    expect(Date.now() - startedAt).toBeLessThan(EXIT_BOUND_MS);
    const lines = output.trimEnd().split('\n');
    // The last line says why, in words an operator can act on.
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `Worker [12] cannot listen on port ${port}: EADDRINUSE \\(the address is in use: another process holds that port`,
      ),
    );
    // Workers 1 and 2 were forked; no third one, no crash loop.
    expect(output).not.toMatch(/\bWorker 3\b|worker 3 \(slot|crash loop/);
  }, 30_000);
});
