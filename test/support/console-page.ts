import type { Page } from 'playwright-core';

/** One row of the console's worker table, as the page shows it. */
export interface WorkerRowView {
  id: number;
  slot: number;
  pid: number;
  state: string;
  text: string;
}

/**
 * Reads the worker table in the page. A string, as the test files are type-checked without the
 * DOM library.
 */
const READ_WORKER_ROWS = `[...document.querySelectorAll('#workers-body tr')].map((row) => ({
  id: Number(row.dataset.workerId),
  slot: Number(row.dataset.slot),
  pid: Number(row.dataset.pid),
  state: row.dataset.state ?? '',
  text: row.textContent ?? '',
}))`;

/** One row of the console's monitor, as the page shows it. */
export interface MonitorRowView {
  workerId: number;
  pid: number;
  samples: number;
  rss: string;
  heap: string;
  cpu: string;
  loop: string;
  rps: string;
  /** Points of the plot's CPU and requests-per-second lines. */
  cpuPoints: number;
  rpsPoints: number;
}

const READ_MONITOR_ROWS = `[...document.querySelectorAll('#monitor-body tr')].map((row) => {
  const field = (name) => row.querySelector('[data-field="' + name + '"]')?.textContent ?? '';
  const points = (series) =>
    (row.querySelector('polyline[data-series="' + series + '"]')?.getAttribute('points') ?? '')
      .split(' ')
      .filter(Boolean).length;
  return {
    workerId: Number(row.dataset.workerId),
    pid: Number(row.dataset.pid),
    samples: Number(row.dataset.samples),
    rss: field('rss'),
    heap: field('heap'),
    cpu: field('cpu'),
    loop: field('loop'),
    rps: field('rps'),
    cpuPoints: points('cpu'),
    rpsPoints: points('rps'),
  };
})`;

/** One row of the console's "Your sessions" list, as the page shows it. */
export interface SessionRowView {
  current: boolean;
  device: string;
  userAgent: string;
  /** Whether the row has a revoke button. */
  revocable: boolean;
  text: string;
}

const READ_SESSION_ROWS = `[...document.querySelectorAll('#user-sessions-list li')].map((row) => ({
  current: row.dataset.current === 'true',
  device: row.querySelector('.device-name')?.textContent ?? '',
  userAgent: row.querySelector('.user-agent')?.textContent ?? '',
  revocable: row.querySelector('button') !== null,
  text: row.textContent ?? '',
}))`;

function isSessionRowView(value: unknown): value is SessionRowView {
  return (
    isRecord(value) &&
    typeof value.current === 'boolean' &&
    typeof value.revocable === 'boolean' &&
    ['device', 'userAgent', 'text'].every((key) => typeof value[key] === 'string')
  );
}

function isMonitorRowView(value: unknown): value is MonitorRowView {
  return (
    isRecord(value) &&
    ['workerId', 'pid', 'samples', 'cpuPoints', 'rpsPoints'].every((key) => typeof value[key] === 'number') &&
    ['rss', 'heap', 'cpu', 'loop', 'rps'].every((key) => typeof value[key] === 'string')
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function isWorkerRowView(value: unknown): value is WorkerRowView {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.slot === 'number' &&
    typeof value.pid === 'number' &&
    typeof value.state === 'string' &&
    typeof value.text === 'string'
  );
}

/** The console page in a browser tab: what the browser specs click and read. */
export class ConsolePage {
  /** Uncaught errors of the page's scripts. */
  readonly errors: string[] = [];
  /** Every URL the page requested. */
  readonly requests: string[] = [];

  constructor(
    readonly page: Page,
    readonly url: string,
  ) {
    page.on('pageerror', (error) => this.errors.push(error.message));
    page.on('request', (request) => this.requests.push(request.url()));
  }

  /** Opens (or reloads) the page and waits until its first data is shown and its stream is live. */
  async open(): Promise<void> {
    await this.page.goto(this.url);
    await this.ready();
  }

  /** Reloads the page and waits as {@link open} does. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.ready();
  }

  private async ready(): Promise<void> {
    await this.page.locator('body[data-ready="true"]').waitFor();
    await this.page.locator('#stream-status[data-state="live"]').waitFor();
  }

  /** The rows of the worker table, read in one go (so never half before and half after an update). */
  async workerRows(): Promise<WorkerRowView[]> {
    const rows = await this.page.evaluate<unknown>(READ_WORKER_ROWS);
    if (!Array.isArray(rows) || !rows.every(isWorkerRowView)) {
      throw new Error(`unexpected worker rows: ${JSON.stringify(rows)}`);
    }
    return rows;
  }

  /** The rows of the monitor, read in one go. */
  async monitorRows(): Promise<MonitorRowView[]> {
    const rows = await this.page.evaluate<unknown>(READ_MONITOR_ROWS);
    if (!Array.isArray(rows) || !rows.every(isMonitorRowView)) {
      throw new Error(`unexpected monitor rows: ${JSON.stringify(rows)}`);
    }
    return rows;
  }

  /** The rows of the "Your sessions" list, read in one go. */
  async sessionRows(): Promise<SessionRowView[]> {
    const rows = await this.page.evaluate<unknown>(READ_SESSION_ROWS);
    if (!Array.isArray(rows) || !rows.every(isSessionRowView)) {
      throw new Error(`unexpected session rows: ${JSON.stringify(rows)}`);
    }
    return rows;
  }

  /** Waits until the "Your sessions" list satisfies `check`. */
  async waitForSessionRows(
    what: string,
    check: (rows: SessionRowView[]) => boolean,
    timeoutMs = 5_000,
  ): Promise<SessionRowView[]> {
    let rows: SessionRowView[] = [];
    await this.poll(
      () => `${what}; the list showed ${JSON.stringify(rows)}`,
      timeoutMs,
      async () => {
        rows = await this.sessionRows();
        return check(rows);
      },
    );
    return rows;
  }

  /** Waits until the worker table satisfies `check`. */
  async waitForRows(
    what: string,
    check: (rows: WorkerRowView[]) => boolean,
    timeoutMs: number,
  ): Promise<WorkerRowView[]> {
    let rows: WorkerRowView[] = [];
    await this.poll(
      () => `${what}; the table showed ${JSON.stringify(rows)}`,
      timeoutMs,
      async () => {
        rows = await this.workerRows();
        return check(rows);
      },
    );
    return rows;
  }

  /** Waits until the text of `selector` is exactly `text` (trimmed). */
  async waitForText(selector: string, text: string, timeoutMs = 5_000): Promise<void> {
    await this.poll(`"${text}" in ${selector}`, timeoutMs, async () => (await this.text(selector)) === text);
  }

  /** Polls `check` every 25 ms until it is true; fails after `timeoutMs` naming `what`. */
  async poll(what: string | (() => string), timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
        );
      }
      await this.page.waitForTimeout(25);
    }
  }

  /** Text of `selector`, trimmed. */
  async text(selector: string): Promise<string> {
    return ((await this.page.locator(selector).textContent()) ?? '').trim();
  }

  /** Clicks "Visit" and waits for the counter to show `expected`; returns the pid that served it. */
  async visit(expected: number): Promise<number> {
    await this.page.getByRole('button', { name: 'Visit', exact: true }).click();
    await this.waitForText('#visit-count', String(expected));
    return Number(await this.page.locator('#last-served').getAttribute('data-pid'));
  }

  /** Fills the login form (Passport's `POST /api/auth/login`) and submits it. */
  async submitLogin(user: string, password = 'hive-demo'): Promise<void> {
    await this.page.getByLabel('User name').fill(user);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
  }

  /** Logs in with the form and waits until the panel shows the user. */
  async login(user: string, password = 'hive-demo'): Promise<void> {
    await this.submitLogin(user, password);
    await this.waitForText('#session-user', user);
  }

  /** Types a broadcast and sends it. */
  async broadcast(message: string): Promise<void> {
    await this.page.getByLabel('Message').fill(message);
    await this.page.getByRole('button', { name: 'Send' }).click();
  }

  /** Requests that left the demo's origin. */
  foreignRequests(): string[] {
    const origin = new URL(this.url).origin;
    return this.requests.filter((url) => new URL(url).origin !== origin);
  }
}
