/**
 * `GET /metrics` on a real forked cluster of 2 workers (the operations fixture): prom-client's
 * metrics of every process, ours and the user's, aggregated over IPC and served by any worker.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freshRequest } from '../support/fresh-http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freePort, startNode, waitFor, type RunningProcess } from '../support/processes.js';

/** The value of one sample line (`name{labels} value`) of a scrape, or `undefined`. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('GET /metrics of a 2-worker cluster', () => {
  let fixture: RunningProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    fixture = startNode('dist-test/fixtures/ops/app.js', { OPS_PORT: String(port), OPS_WORKERS: '2' });
    await waitFor(
      'the ops fixture',
      async () => (/ops fixture ready/.test(fixture.output()) ? true : undefined),
      30_000,
    );
  }, 40_000);
  afterAll(() => fixture?.stop());

  async function scrape(): Promise<{ text: string; servedBy: string; contentType: string }> {
    const reply = await freshRequest(`${url}/metrics`);
    expect(reply.status).toBe(200);
    return {
      text: reply.body,
      servedBy: String(reply.headers['x-served-by']),
      contentType: String(reply.headers['content-type']),
    };
  }

  it('serves the Prometheus text format with the default metrics and the supervisor metrics', async () => {
    const { text, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(sample(text, 'nest_hive_workers{state="ready"}')).toBe(2);
    expect(sample(text, 'nest_hive_workers_desired')).toBe(2);
    expect(sample(text, 'nest_hive_slots_given_up')).toBe(0);
    expect(sample(text, 'nest_hive_metrics_unanswered_workers')).toBe(0);
    expect(sample(text, 'nest_hive_cluster_pending_requests')).toBeGreaterThanOrEqual(0);
    // No request has settled before its reply here yet; the cluster fixture's timeout test moves it.
    expect(sample(text, 'nest_hive_cluster_late_replies_total')).toBe(0);
    expect(sample(text, 'nest_hive_ipc_messages_total{direction="sent"}')).toBeGreaterThan(0);
    expect(sample(text, 'nest_hive_ipc_messages_total{direction="received"}')).toBeGreaterThan(0);
    expect(sample(text, 'nest_hive_ipc_queued_messages')).toBe(0);
  });

  it("sums a user's metric over every worker, whichever worker serves the scrape", async () => {
    const served = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const reply = await freshRequest(`${url}/hit`);
      served.add((reply.json as { pid: number }).pid);
    }
    expect(served.size).toBe(2);
    const scrapers = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { text, servedBy } = await scrape();
      scrapers.add(servedBy);
      expect(sample(text, 'ops_fixture_hits_total')).toBe(10);
      expect(sample(text, 'ops_fixture_worker_up')).toBe(2);
    }
    expect(scrapers.size).toBe(2);
  });

  it('reports the session store: latency per operation and the number of sessions', async () => {
    for (let i = 0; i < 5; i++) expect((await freshRequest(`${url}/visit`)).status).toBe(200);
    const { text } = await scrape();
    // Five new sessions, each created with one store call, over both workers.
    expect(sample(text, 'nest_hive_session_store_duration_seconds_count{operation="set"}')).toBe(5);
    expect(sample(text, 'nest_hive_session_store_errors_total{operation="set"}') ?? 0).toBe(0);
    // The cluster-shared store: every worker counts the same sessions, taken once.
    expect(sample(text, 'nest_hive_sessions{store="ClusterSessionStore"}')).toBe(5);
  });

  it('counts a respawn in nest_hive_worker_restarts_total', async () => {
    const victim = (await freshRequest(`${url}/hit`).then((reply) => reply.json)) as { pid: number };
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(
      'the respawned worker',
      async () => {
        const { text } = await scrape();
        return sample(text, 'nest_hive_worker_restarts_total') === 1 &&
          sample(text, 'nest_hive_workers{state="ready"}') === 2
          ? true
          : undefined;
      },
      20_000,
      200,
    );
  }, 30_000);
});

describe.each(HTTP_ADAPTERS)('GET /metrics and /health of the demo in one process (%s)', (adapter) => {
  let demo: RunningProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = startNode('apps/demo/dist/main.js', {
      PORT: String(port),
      WORKERS: '0',
      SESSION_SECRET: 'Qm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0Ie-_Ru2Ty7Uo4Pz9Xa',
      HTTP_ADAPTER: adapter,
    });
    await waitFor(
      'the demo in one process',
      async () => (/demo ready/.test(demo.output()) ? true : undefined),
      30_000,
    );
  }, 40_000);
  afterAll(() => demo?.stop());

  it('counts the in-process worker once: its registry is the primary’s', async () => {
    for (let i = 0; i < 3; i++) expect((await freshRequest(`${url}/api/visits`)).status).toBe(200);
    const text = (await freshRequest(`${url}/metrics`)).body;
    expect(sample(text, 'nest_hive_session_store_duration_seconds_count{operation="set"}')).toBe(3);
    expect(sample(text, 'nest_hive_workers{state="ready"}')).toBe(1);
    expect(sample(text, 'nest_hive_workers_desired')).toBe(1);
    // The demo keeps its one process's sessions in its file (SESSION_DB): a FileSessionStore.
    expect(sample(text, 'nest_hive_sessions{store="FileSessionStore"}')).toBe(3);
    expect((await freshRequest(`${url}/health`)).json).toMatchObject({
      status: 'ok',
      info: { cluster: { status: 'up', ready: 1, desired: 1 }, sessionStore: { status: 'up' } },
    });
  });
});

describe('GET /metrics when the gathered metrics exceed maxMessageBytes', () => {
  let fixture: RunningProcess | undefined;
  afterAll(() => fixture?.stop());

  it('fails the scrape with an error naming MessageTooLargeError, never a partial answer', async () => {
    const port = await freePort();
    fixture = startNode('dist-test/fixtures/ops/app.js', {
      OPS_PORT: String(port),
      OPS_WORKERS: '2',
      OPS_MAX_MESSAGE_BYTES: '12000', // one process' metrics fit, two do not
    });
    const running = fixture;
    await waitFor(
      'the ops fixture',
      async () => (/ops fixture ready/.test(running.output()) ? true : undefined),
      30_000,
    );
    const reply = await freshRequest(`http://127.0.0.1:${port}/metrics`);
    expect(reply.status).toBe(500);
    expect(reply.body).not.toMatch(/nest_hive_workers/);
    await waitFor(
      'the error in the log',
      async () =>
        /MessageTooLargeError: The "nest-hive:metrics:gather" message is \d+ bytes/.test(running.output())
          ? true
          : undefined,
      5_000,
    );
  }, 40_000);
});
