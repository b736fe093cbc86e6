import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { request } from '../support/http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freePort, startNode, waitFor, waitForHttp, type RunningProcess } from '../support/processes.js';

/** Whether a process with this pid still exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(HTTP_ADAPTERS)('console page and routes, kill disabled (one process, %s)', (adapter) => {
  let demo: RunningProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = startNode('apps/demo/dist/main.js', {
      PORT: String(port),
      WORKERS: '0',
      DEMO_ALLOW_KILL: '',
      HTTP_ADAPTER: adapter,
    });
    await waitForHttp(`${url}/api/ping`);
  });
  afterAll(() => demo.stop());

  it('GET / serves the page with a same-origin-only Content-Security-Policy', async () => {
    const reply = await request(url, '/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(reply.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(reply.body).toContain('<script type="module" src="/console/console.js"></script>');
    expect(reply.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(reply.setCookies).toEqual([]);
  });

  it('serves the page’s files under /console/ and nothing else', async () => {
    const script = await request(url, '/console/console.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = script.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, as fetch() adds `Cache-Control: no-cache` to a conditional request.
    const again = await freshRequest(`${url}/console/console.js`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    for (const path of [
      '/console/missing.js',
      '/console/index.html',
      '/console/..%2F..%2Fpackage.json',
      '/console/%2E%2E%2Fsrc%2Fmain.ts',
    ]) {
      expect([path, (await request(url, path)).status]).toEqual([path, 404]);
    }
  });

  it('GET /api/console/config says kill is off', async () => {
    const reply = await request(url, '/api/console/config');
    expect(reply.json).toMatchObject({ allowKill: false, mode: 'loopback' });
  });

  it('POST /api/console/workers/:id/kill answers 403 and kills nothing', async () => {
    const reply = await request(url, '/api/console/workers/0/kill', { method: 'POST' });
    expect(reply.status).toBe(403);
    expect((reply.json as { message: string }).message).toContain('DEMO_ALLOW_KILL=1');
    expect((await request(url, '/api/ping')).status).toBe(200);
  });

  it('POST /api/console/scale answers 403 and scales nothing', async () => {
    const reply = await request(url, '/api/console/scale', { method: 'POST', body: { workers: 2 } });
    expect(reply.status).toBe(403);
    expect((reply.json as { message: string }).message).toBe(
      'Scaling from the console is disabled: start the demo with DEMO_ALLOW_KILL=1 to enable it.',
    );
  });
});

describe.each(HTTP_ADAPTERS)('console kill route, 2 workers, DEMO_ALLOW_KILL=1 (%s)', (adapter) => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { DEMO_ALLOW_KILL: '1', HTTP_ADAPTER: adapter });
  }, 40_000);
  afterAll(() => demo.stop());

  it('GET /api/console/config says kill is on', async () => {
    const reply = await freshRequest(`${demo.url}/api/console/config`);
    expect(reply.json).toMatchObject({ allowKill: true, mode: 'cluster' });
  });

  it('answers 404 for a worker id that is not in the live table, and kills nothing', async () => {
    const before = await demo.workerPids();
    const reply = await freshRequest(`${demo.url}/api/console/workers/9999/kill`, { method: 'POST' });
    expect(reply.status).toBe(404);
    expect((reply.json as { message: string }).message).toContain('No live worker has id 9999');
    expect(await demo.workerPids()).toEqual(before);
  });

  it('answers 403 to a page of another origin, and kills nothing', async () => {
    const before = await demo.workerPids();
    const [victim] = (
      (await freshRequest(`${demo.url}/api/cluster/workers`)).json as { workers: Array<{ id: number }> }
    ).workers;
    const reply = await freshRequest(`${demo.url}/api/console/workers/${victim?.id}/kill`, {
      method: 'POST',
      headers: { origin: 'http://attacker.invalid' },
    });
    expect(reply.status).toBe(403);
    expect((reply.json as { message: string }).message).toContain("console's own page");
    expect(await demo.workerPids()).toEqual(before);
  });

  it('answers 400 for an id that is not a number', async () => {
    const reply = await freshRequest(`${demo.url}/api/console/workers/abc/kill`, { method: 'POST' });
    expect(reply.status).toBe(400);
  });

  it('x-new-connection: 1 gets Connection: close, so the next request may reach another worker', async () => {
    const reply = await freshRequest(`${demo.url}/api/ping`, { headers: { 'x-new-connection': '1' } });
    expect(reply.headers.connection).toBe('close');
  });

  it('SIGKILLs a live worker (202) and the supervisor replaces it in its slot', async () => {
    const listed = await freshRequest(`${demo.url}/api/cluster/workers`);
    const victim = (listed.json as { workers: Array<{ id: number; slot: number; pid: number }> }).workers[0];
    if (!victim) throw new Error(`no worker listed: ${listed.body}`);
    const reply = await freshRequest(`${demo.url}/api/console/workers/${victim.id}/kill`, {
      method: 'POST',
    });
    expect(reply.status).toBe(202);
    expect(reply.json).toEqual({ id: victim.id, slot: victim.slot, pid: victim.pid });
    await waitFor('the killed worker to exit', () => (isAlive(victim.pid) ? undefined : true), 5_000);
    await waitFor(
      'a replacement worker',
      async () => {
        const pids = await demo.workerPids();
        return pids.length === 2 && !pids.includes(victim.pid) ? true : undefined;
      },
      15_000,
      100,
    );
    expect(demo.process.output()).toContain(
      `Killing worker ${victim.id} (slot ${victim.slot}, pid ${victim.pid}) with SIGKILL`,
    );
  });
});
