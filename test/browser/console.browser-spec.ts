import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { closeClients, connectClients, waitAllConnected } from '../support/socket-clients.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CHROMIUM_PATH,
  ChromiumMissingError,
  browserSuiteMode,
  launchChromium,
  type RunningBrowser,
} from '../support/browser.js';
import { ConsolePage, type MonitorRowView } from '../support/console-page.js';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { ROOT, waitFor } from '../support/processes.js';

const WORKERS = 2;
const SCREENSHOT = join(ROOT, 'test/artifacts/console.png');

/** Whether a process with this pid still exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const mode = browserSuiteMode();
if (mode === 'skip') {
  console.warn(
    `Browser tests SKIPPED: Chromium is not installed at ${CHROMIUM_PATH}. ` +
      'Install it with `apt-get install -y chromium` to run them (NEST_HIVE_ALLOW_SKIP=chromium allowed this skip).',
  );
}

if (mode === 'fail') {
  describe('browser suite prerequisites', () => {
    it('has Chromium installed (or NEST_HIVE_ALLOW_SKIP=chromium)', () => {
      throw new ChromiumMissingError();
    });
  });
}

(mode === 'run' ? describe : describe.skip).each(HTTP_ADAPTERS)(
  'live console in Chromium (2-worker cluster, kill enabled, %s)',
  (adapter) => {
    let demo: DemoCluster;
    let browser: RunningBrowser;
    let tab: ConsolePage;

    beforeAll(async () => {
      [demo, browser] = await Promise.all([
        startDemoCluster(WORKERS, { DEMO_ALLOW_KILL: '1', HTTP_ADAPTER: adapter }),
        launchChromium(),
      ]);
    }, 60_000);

    afterAll(async () => {
      try {
        // The demo README's picture comes from the Express run.
        if (demo && browser && adapter === 'express') await takeScreenshot();
      } finally {
        await browser?.close();
        await demo?.stop();
      }
    }, 30_000);

    beforeEach(async () => {
      await browser.context.clearCookies();
      tab = new ConsolePage(await browser.context.newPage(), `${demo.url}/`);
    });

    afterEach(async () => {
      await tab.page.close();
      expect(tab.errors).toEqual([]);
    });

    /**
     * A tour for the demo README's picture, saved on every run: a few visits, a login, a broadcast, and a
     * killed worker with its replacement.
     */
    async function takeScreenshot(): Promise<void> {
      const page = await browser.context.newPage();
      try {
        await browser.context.clearCookies();
        const tour = new ConsolePage(page, `${demo.url}/`);
        await tour.open();
        for (let visits = 1; visits <= 3; visits++) await tour.visit(visits);
        await tour.login('ann');
        await tour.visit(1);
        await tour.broadcast('hello hive');
        await tour.poll(
          'the broadcast receipts',
          2_000,
          async () => (await page.locator('#broadcast-log .receipts-count[data-count="2"]').count()) === 1,
        );
        const [victim] = (await tour.workerRows()).filter((row) => row.slot === 1);
        if (victim) {
          await page.getByRole('button', { name: `Kill worker ${victim.id} (pid ${victim.pid})` }).click();
          await tour.waitForRows(
            'the replacement to be ready',
            (rows) => rows.some((row) => row.slot === 1 && row.id > victim.id && row.state === 'ready'),
            20_000,
          );
        }
        await tour.visit(2);
        // A few seconds of the monitor, so its plots have a line to show.
        await tour.poll('monitor samples for the picture', 15_000, async () => {
          const rows = await tour.monitorRows();
          return rows.length === WORKERS && rows.every((row) => row.samples >= 6);
        });
        await page.locator('header').scrollIntoViewIfNeeded();
        await mkdir(join(ROOT, 'test/artifacts'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      } finally {
        await page.close();
      }
    }

    it('loads, lists the 2 live workers, requests nothing outside the demo, and fits a 360 px screen', async () => {
      await tab.open();
      const pids = await demo.workerPids();
      const rows = await tab.waitForRows(
        `${WORKERS} ready workers`,
        (shown) => shown.filter((row) => row.state === 'ready').length === WORKERS,
        5_000,
      );
      expect(rows.map((row) => row.pid).sort()).toEqual([...pids].sort());
      expect(rows.map((row) => row.slot).sort()).toEqual([0, 1]);
      for (const row of rows) expect(row.text).toContain(`W${row.id}`);
      expect(await tab.text('#workers-summary')).toMatch(/2 workers ready/);
      expect(await tab.page.getByRole('button', { name: /^Kill worker/ }).count()).toBe(WORKERS);
      expect(tab.foreignRequests()).toEqual([]);

      await tab.page.setViewportSize({ width: 360, height: 740 });
      // Evaluated in the page (a string, as this file is type-checked without the DOM library).
      const overflow = await tab.page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await tab.page
        .getByRole('button', { name: /^Kill worker/ })
        .first()
        .scrollIntoViewIfNeeded();
      expect(
        await tab.page
          .getByRole('button', { name: /^Kill worker/ })
          .first()
          .isVisible(),
      ).toBe(true);
    });

    it('the monitor shows every worker live: memory, CPU, loop lag, requests per second and a plot of the last minute', async () => {
      await tab.open();
      const pids = await demo.workerPids();
      // Load for a few seconds, spread over both workers (a connection per request).
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        await Promise.all(Array.from({ length: 10 }, () => freshRequest(`${demo.url}/api/ping`)));
      }
      let rows: MonitorRowView[] = [];
      await tab.poll('3 samples of both workers', 10_000, async () => {
        rows = await tab.monitorRows();
        return rows.length === WORKERS && rows.every((row) => row.samples >= 3);
      });
      expect(rows.map((row) => row.pid).sort()).toEqual([...pids].sort());
      for (const row of rows) {
        expect(row.rss).toMatch(/^\d+\.\d MiB$/);
        expect(row.heap).toMatch(/^\d+\.\d MiB \/ \d+\.\d MiB$/);
        expect(row.cpu).toMatch(/^\d+\.\d %$/);
        expect(row.loop).toMatch(/^\d+\.\d ms$/);
        expect(row.rps).toMatch(/^\d+\.\d$/);
        expect(row.cpuPoints).toBe(row.samples);
        expect(row.rpsPoints).toBe(row.samples);
      }
      // The load reached both workers, and the monitor saw it (in the plotted history).
      const history = (await freshRequest(`${demo.url}/api/console/monitor`)).json as {
        workers: Array<{ samples: Array<{ requestsPerSecond: number }> }>;
      };
      for (const worker of history.workers) {
        expect(Math.max(...worker.samples.map((sample) => sample.requestsPerSecond))).toBeGreaterThan(1);
      }
      expect(tab.foreignRequests()).toEqual([]);
    });

    it('"Visit" increments the counter and shows the pid that served it, on every worker', async () => {
      await tab.open();
      const pids = await demo.workerPids();
      const servedBy = new Set<number>();
      let visits = 0;
      while (servedBy.size < WORKERS && visits < 8) {
        visits += 1;
        const pid = await tab.visit(visits);
        expect(pids).toContain(pid);
        expect(await tab.text('#last-served')).toContain(`pid ${pid}`);
        const history = await tab.text('#session-history li:first-child');
        expect(history).toContain(`pid ${pid}`);
        expect(history).toContain(`visits: ${visits}`);
        servedBy.add(pid);
      }
      // One session, counted on both workers: it lives in the shared store, not in a worker.
      expect(servedBy.size).toBe(WORKERS);
      expect(await tab.text('#workers-seen')).toContain(`one session, ${WORKERS} workers`);
    });

    it('signs in through Passport (POST /api/auth/login) on any worker, survives a reload, and logs out', async () => {
      await tab.open();
      await tab.waitForText('#session-user', 'not logged in');
      expect(await tab.text('#session-message')).toBe('');
      await tab.login('ann_2');
      expect(tab.requests.filter((url) => url.endsWith('/api/auth/login'))).toHaveLength(1);
      expect(await tab.text('#session-history li:first-child')).toContain('logged in as ann_2');
      expect(await tab.page.getByLabel('Password').inputValue()).toBe('');

      // Each reload asks a new connection, so over a few reloads both workers answer "who am I".
      const pids = new Set<number>();
      for (let reload = 0; reload < 8 && pids.size < WORKERS; reload++) {
        await tab.reload();
        await tab.waitForText('#session-user', 'ann_2');
        pids.add(Number(await tab.page.locator('#last-served').getAttribute('data-pid')));
      }
      expect(pids.size).toBe(WORKERS);

      await tab.page.getByRole('button', { name: 'Log out' }).click();
      await tab.waitForText('#session-user', 'not logged in');
      await tab.reload();
      await tab.waitForText('#session-user', 'not logged in');
      expect(tab.requests.some((url) => url.endsWith('/api/auth/logout'))).toBe(true);
    });

    it('a wrong password or a user name that is not allowed is refused with 401, shown as text', async () => {
      await tab.open();
      await tab.submitLogin('ann', 'not-the-password');
      await tab.waitForText('#session-message', 'POST /api/auth/login failed (401: Unauthorized).');
      expect(await tab.text('#session-user')).toBe('not logged in');

      await tab.submitLogin('<i>ann</i>');
      await tab.poll(
        'the second refusal in the history',
        5_000,
        async () => (await tab.page.locator('#session-history li.failed').count()) === 2,
      );
      expect(await tab.page.locator('#session-panel i, .panel-session i').count()).toBe(0); // never rendered as HTML
      expect(await tab.text('#session-user')).toBe('not logged in');
    });

    it('"Your sessions": two browsers of one user, revoke the other one, then sign out everywhere else', async () => {
      const user = 'sam_devices';
      await tab.open();
      await tab.waitForText('#user-sessions-empty', 'Log in to see your sessions.');
      expect(await tab.page.locator('#user-sessions-list').isVisible()).toBe(false);
      expect(await tab.page.getByRole('button', { name: 'Sign out everywhere else' }).isVisible()).toBe(
        false,
      );

      await tab.login(user);
      let rows = await tab.waitForSessionRows('this device alone', (shown) => shown.length === 1);
      expect(rows[0]).toMatchObject({ current: true, revocable: false });
      expect(rows[0]?.text).toContain('this device');
      expect(rows[0]?.userAgent).toContain('HeadlessChrome');
      expect(await tab.page.getByRole('button', { name: 'Sign out everywhere else' }).isDisabled()).toBe(
        true,
      );

      // A second device: its own Chromium (its own cookie jar), with a User-Agent of its own.
      const second = await launchChromium();
      try {
        const other = new ConsolePage(await second.context.newPage(), `${demo.url}/`);
        await other.page.setExtraHTTPHeaders({ 'user-agent': 'Second-Device/1.0 <b>bold</b>' });
        await other.open();
        await other.login(user);
        await other.waitForSessionRows('both devices in the second browser', (shown) => shown.length === 2);

        await tab.page.getByRole('button', { name: 'Refresh', exact: true }).click();
        rows = await tab.waitForSessionRows('both devices', (shown) => shown.length === 2);
        const mine = rows.find((row) => row.current);
        const theirs = rows.find((row) => !row.current);
        expect(mine).toMatchObject({ revocable: false, device: 'Headless Chrome on Linux' });
        expect(theirs).toMatchObject({ revocable: true, userAgent: 'Second-Device/1.0 <b>bold</b>' });
        expect(await tab.page.locator('#user-sessions-list b').count()).toBe(0); // text, never HTML
        expect(await tab.page.getByRole('button', { name: /^Revoke the session of/ }).count()).toBe(1);

        await tab.page.getByRole('button', { name: /^Revoke the session of/ }).click();
        rows = await tab.waitForSessionRows('the other device gone', (shown) => shown.length === 1);
        expect(rows[0]).toMatchObject({ current: true });
        expect(await tab.text('#user-sessions-message')).toMatch(/^Signed that session out/);

        // The other browser is logged out: its next request (on whichever worker) finds no login.
        await other.page.getByRole('button', { name: 'Refresh', exact: true }).click();
        await other.waitForText('#user-sessions-empty', 'Log in to see your sessions.');
        await other.waitForText('#session-user', 'not logged in');
        await other.reload();
        await other.waitForText('#session-user', 'not logged in');

        // Two other devices this time: the second browser again, and a client outside any browser.
        await other.login(user);
        const outside = await freshRequest(`${demo.url}/api/auth/login`, {
          body: { username: user, password: 'hive-demo' },
          headers: { 'user-agent': 'curl/8.0' },
        });
        expect(outside.status).toBe(200);
        await tab.page.getByRole('button', { name: 'Refresh', exact: true }).click();
        rows = await tab.waitForSessionRows('three devices', (shown) => shown.length === 3);
        expect(rows.filter((row) => row.revocable)).toHaveLength(2);

        await tab.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
        rows = await tab.waitForSessionRows('this device alone again', (shown) => shown.length === 1);
        expect(rows[0]).toMatchObject({ current: true });
        await tab.waitForText('#user-sessions-message', 'Signed out 2 other sessions.');
        expect(await tab.page.getByRole('button', { name: 'Sign out everywhere else' }).isDisabled()).toBe(
          true,
        );
        expect(
          (await freshRequest(`${demo.url}/api/auth/me`, { cookie: outside.sessionCookie })).status,
        ).toBe(401);
        await other.reload();
        await other.waitForText('#session-user', 'not logged in');
        await other.waitForText('#user-sessions-empty', 'Log in to see your sessions.');
        expect(other.errors).toEqual([]);
        expect(other.foreignRequests()).toEqual([]);
      } finally {
        await second.close();
      }

      // This page is still logged in; its logout empties the panel.
      await tab.reload();
      await tab.waitForText('#session-user', user);
      await tab.waitForSessionRows('this device after a reload', (shown) => shown.length === 1);
      await tab.page.getByRole('button', { name: 'Log out' }).click();
      await tab.waitForText('#user-sessions-empty', 'Log in to see your sessions.');
      expect(await tab.page.locator('#user-sessions-list').isVisible()).toBe(false);
    });

    it('a broadcast typed in the box appears in the log, with both workers’ receipts, within 2 s', async () => {
      await tab.open();
      const pids = await demo.workerPids();
      const message = `hello <b>hive</b> & "friends" ${Date.now()}`;
      const started = Date.now();
      await tab.broadcast(message);
      const entry = tab.page.locator('#broadcast-log li.broadcast').filter({ hasText: message });
      await tab.poll(
        'the broadcast and its 2 receipts in the log',
        2_000 - (Date.now() - started),
        async () => {
          if ((await entry.count()) !== 1) return false;
          return (await entry.locator('.receipts-count').getAttribute('data-count')) === String(WORKERS);
        },
      );
      expect(await entry.locator('.broadcast-text').textContent()).toBe(message);
      expect(await tab.page.locator('#broadcast-log b').count()).toBe(0);
      const receiptPids: number[] = [];
      for (const badge of await entry.locator('.receipts .badge').all()) {
        receiptPids.push(Number(await badge.getAttribute('data-pid')));
      }
      expect(receiptPids.sort()).toEqual([...pids].sort());
    });

    it('the chat panel connects to the gateway, and a line reaches sockets on both workers; it shows sockets per worker', async () => {
      const others = connectClients(demo.url, 6, ['welcome', 'chat']);
      try {
        await waitAllConnected(others, 15_000, { name: 'welcome', times: 1 });
        await tab.open();
        await tab.poll(
          'the chat connected',
          10_000,
          async () => (await tab.page.locator('#chat-status .badge').count()) === 1,
        );
        await tab.poll('at least 7 sockets (this page and 6 others) on 2 workers', 10_000, async () => {
          // At least: a page closed by an earlier test can still hold a long-polling socket until
          // engine.io's ping timeout notices it is gone.
          const text = await tab.text('#chat-sockets');
          const total = Number(/^(\d+) sockets/.exec(text)?.[1] ?? 0);
          return total >= 7 && (await tab.page.locator('#chat-sockets .badge').count()) === WORKERS;
        });
        const line = `hi <b>all</b> ${Date.now()}`;
        await tab.page.fill('#chat-input', line);
        await tab.page.click('#chat-form button');
        await tab.poll(
          'the line in the log',
          5_000,
          async () => (await tab.page.locator('#chat-log li').filter({ hasText: line }).count()) === 1,
        );
        expect(await tab.page.locator('#chat-log b').count()).toBe(0);
        await tab.poll('the line on the 6 other sockets', 5_000, () =>
          Promise.resolve(
            others.every(
              (client) =>
                client.received.get('chat')?.some((m) => (m as { text: string }).text === line) ?? false,
            ),
          ),
        );
      } finally {
        closeClients(others);
      }
    });

    it('killing a worker shows its replacement in the same slot within 5 s', async () => {
      await tab.open();
      const rows = await tab.waitForRows(
        `${WORKERS} ready workers`,
        (shown) => shown.filter((row) => row.state === 'ready').length === WORKERS,
        5_000,
      );
      const victim = rows.find((row) => row.slot === 0);
      if (!victim) throw new Error(`no worker in slot 0: ${JSON.stringify(rows)}`);

      const started = Date.now();
      await tab.page.getByRole('button', { name: `Kill worker ${victim.id} (pid ${victim.pid})` }).click();
      await tab.waitForRows(
        `a replacement of worker ${victim.id} in slot 0, and worker ${victim.id} shown gone`,
        (shown) =>
          shown.some((row) => row.slot === 0 && row.id > victim.id && row.state !== 'exited') &&
          shown.every((row) => row.id !== victim.id || row.state === 'exited'),
        5_000 - (Date.now() - started),
      );

      // It really was SIGKILLed, and the replacement becomes ready (a liveness bound, not a timing check).
      await waitFor('the killed worker to be gone', () => (isAlive(victim.pid) ? undefined : true), 5_000);
      const after = await tab.waitForRows(
        'the replacement to be ready',
        (shown) => shown.some((row) => row.slot === 0 && row.id > victim.id && row.state === 'ready'),
        20_000,
      );
      const replacement = after.find((row) => row.slot === 0 && row.id > victim.id);
      expect(await demo.workerPids()).toContain(replacement?.pid);
      expect(demo.process.output()).toMatch(new RegExp(`Killing worker ${victim.id} .*SIGKILL`));
    });

    it('the scale buttons add a worker in a new slot, then drain it away again', async () => {
      await tab.open();
      await tab.waitForRows(
        `${WORKERS} ready workers`,
        (shown) => shown.filter((row) => row.state === 'ready').length === WORKERS,
        5_000,
      );
      await tab.waitForText('#scale-desired', String(WORKERS));
      await tab.page.getByRole('button', { name: 'One worker more' }).click();
      await tab.waitForText('#scale-desired', String(WORKERS + 1));
      const grown = await tab.waitForRows(
        `a ready worker in the new slot ${WORKERS}`,
        (shown) => shown.some((row) => row.slot === WORKERS && row.state === 'ready'),
        30_000,
      );
      const added = grown.find((row) => row.slot === WORKERS && row.state === 'ready');
      expect(await demo.workerPids()).toContain(added?.pid);

      await tab.page.getByRole('button', { name: 'One worker less' }).click();
      await tab.waitForText('#scale-desired', String(WORKERS));
      await tab.waitForRows(
        `the worker of slot ${WORKERS} shown gone`,
        (shown) => shown.every((row) => row.id !== added?.id || row.state === 'exited'),
        30_000,
      );
      await waitFor(
        'the drained worker to exit',
        () => (isAlive(added?.pid ?? 0) ? undefined : true),
        10_000,
      );
      expect((await demo.workerPids()).length).toBe(WORKERS);
    });
  },
);
