/**
 * The console's chaos buttons (issue 27, point 6) in Chromium: with `DEMO_ALLOW_CHAOS=1` and a
 * 2 s hang limit, "Block 5 s" blocks a worker's event loop, and the visitor watches the hang rule
 * replace it: a `recycled` line in the event log, and a new worker in its slot.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { browserSuiteMode, launchChromium, type RunningBrowser } from '../support/browser.js';
import { ConsolePage } from '../support/console-page.js';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';

const WORKERS = 2;

// console.browser-spec.ts reports a missing Chromium; this file only runs with it.
(browserSuiteMode() === 'run' ? describe : describe.skip)('console chaos buttons in Chromium', () => {
  let demo: DemoCluster;
  let browser: RunningBrowser;
  let tab: ConsolePage;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([
      startDemoCluster(WORKERS, { DEMO_ALLOW_CHAOS: '1', WORKER_HANG_TIMEOUT_MS: '2000' }),
      launchChromium(),
    ]);
    tab = new ConsolePage(await browser.context.newPage(), `${demo.url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  }, 30_000);

  afterEach(() => {
    expect(tab.errors).toEqual([]);
  });

  /** The pid of the worker serving the page's event stream, named once an event reached it. */
  async function streamPid(): Promise<number> {
    await freshRequest(`${demo.url}/api/cluster/broadcast`, { body: { message: 'which worker streams?' } });
    const badge = tab.page.locator('#stream-status .badge');
    await badge.waitFor();
    return Number(await badge.getAttribute('data-pid'));
  }

  /** Waits until the demo runs `WORKERS` ready workers, none of them `gone`. */
  async function replaced(gone: number): Promise<void> {
    await waitFor(
      `worker ${gone} replaced`,
      async () => {
        const ready = (await demo.workers()).filter((row) => row.state === 'ready');
        return ready.length === WORKERS && !ready.some((row) => row.pid === gone) ? true : undefined;
      },
      15_000,
      100,
    );
  }

  it('blocks a worker with one click, and shows the hang rule replacing it', async () => {
    // The page must watch from the worker that is not blocked: a blocked worker's stream goes
    // silent with it. The click hits whichever worker answers, so it is tried again until it
    // hits the other one (each miss is replaced by the same rule).
    for (let attempt = 1; ; attempt++) {
      await tab.open();
      await tab.waitForRows(
        `${WORKERS} ready workers`,
        (shown) => shown.filter((row) => row.state === 'ready').length === WORKERS,
        10_000,
      );
      expect(await tab.page.locator('#chaos-controls').isVisible()).toBe(true);
      const watching = await streamPid();
      await tab.page.getByRole('button', { name: 'Block 5 s' }).click();
      await tab.poll('the block confirmed', 5_000, async () =>
        /blocks its event loop for 5 s/.test(await tab.text('#workers-message')),
      );
      const blocked = Number(/\(pid (\d+)\)/.exec(await tab.text('#workers-message'))?.[1]);
      if (blocked === watching && attempt < 6) {
        await replaced(blocked);
        continue;
      }
      expect(blocked).not.toBe(watching);
      await tab.poll('a recycled line for the blocked worker', 15_000, async () => {
        const log = await tab.text('#lifecycle-log');
        return new RegExp(`pid ${blocked} · recycled \\(hang: no heartbeat answered for \\d+ ms`).test(log);
      });
      await tab.waitForRows(
        'a new worker in the blocked one’s place',
        (shown) =>
          shown.filter((row) => row.state === 'ready').length === WORKERS &&
          !shown.some((row) => row.pid === blocked && row.state === 'ready'),
        15_000,
      );
      return;
    }
  }, 120_000);
});
