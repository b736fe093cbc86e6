import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freshRequest, pidOf, requestOnWorker } from '../support/fresh-http.js';
import { openEventStream } from '../support/event-stream.js';
import { waitFor } from '../support/processes.js';

describe.each(HTTP_ADAPTERS)('demo on a 2-worker cluster: one session across all workers (%s)', (adapter) => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter });
  }, 40_000);
  afterAll(() => demo.stop());

  async function login(user: string): Promise<{ cookie: string; pid: number }> {
    const reply = await freshRequest(`${demo.url}/api/login`, { body: { user } });
    expect(reply.status).toBe(200);
    expect(reply.sessionCookie).toBeDefined();
    const visit = await freshRequest(`${demo.url}/api/visits`, { cookie: reply.sessionCookie });
    return { cookie: reply.sessionCookie as string, pid: pidOf(visit) };
  }

  async function whoamiEverywhere(cookie: string): Promise<Array<{ pid: number; user: unknown }>> {
    const pids = await demo.workerPids();
    const seen: Array<{ pid: number; user: unknown }> = [];
    for (const pid of pids) {
      const visit = await requestOnWorker(`${demo.url}/api/visits`, { pid }, { cookie });
      const who = await requestOnWorker(`${demo.url}/api/whoami`, {}, { cookie });
      seen.push({ pid: pidOf(visit), user: (who.json as { user: unknown }).user });
    }
    return seen;
  }

  it('its ready line names the primary pid, the one to send SIGHUP to', () => {
    const pid = demo.process.child.pid;
    const port = new URL(demo.url).port;
    expect(demo.process.output()).toContain(
      `nest-hive demo ready with 2 workers on ${adapter === 'fastify' ? 'Fastify' : 'Express'}: http://localhost:${port} ` +
        `(primary pid ${pid}; kill -HUP ${pid} for a rolling restart)`,
    );
  });

  it('GET /api/cluster/workers lists both workers, with slots 0 and 1', async () => {
    const reply = await freshRequest(`${demo.url}/api/cluster/workers`);
    const body = reply.json as {
      primary: { pid: number };
      workers: Array<{ id: number; slot: number; pid: number }>;
    };
    expect(body.primary.pid).toBe(demo.process.child.pid);
    expect(body.workers.map((w) => w.slot).sort()).toEqual([0, 1]);
    expect(new Set(body.workers.map((w) => w.pid)).size).toBe(2);
    expect(body.workers.every((w) => typeof w.id === 'number')).toBe(true);
  });

  it('a session written through worker A is read through worker B', async () => {
    const { cookie, pid } = await login('ann');
    const other = await requestOnWorker(`${demo.url}/api/visits`, { notPid: pid }, { cookie });
    expect(pidOf(other)).not.toBe(pid);
    expect((other.json as { visits: number }).visits).toBe(2);
    const seen = await whoamiEverywhere(cookie);
    expect(seen.map((s) => s.user)).toEqual(['ann', 'ann']);
  });

  it('20 concurrent logins land on both workers, and none is lost', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const logins = await Promise.all(
      users.map((user) => freshRequest(`${demo.url}/api/login`, { body: { user } })),
    );
    expect(logins.every((r) => r.status === 200 && r.sessionCookie)).toBe(true);
    const servedBy = new Set(logins.map((r) => String(r.headers['x-served-by']).split('/')[0]));
    expect(servedBy.size).toBe(2);
    for (const [i, login] of logins.entries()) {
      const who = await freshRequest(`${demo.url}/api/whoami`, { cookie: login.sessionCookie });
      expect(who.json).toEqual({ user: users[i] });
    }
  });

  it('a broadcast reaches every worker’s inbox and event stream', async () => {
    const stream = await openEventStream(`${demo.url}/api/cluster/events`);
    try {
      const sent = await freshRequest(`${demo.url}/api/cluster/broadcast`, {
        body: { message: 'hello hive' },
      });
      expect(sent.status).toBe(202);
      const id = (sent.json as { id: string }).id;
      await waitFor(
        'the broadcast and two receipts on the event stream',
        () => {
          const names = stream.events();
          return names.includes('broadcast') && names.filter((n) => n === 'receipt').length >= 2
            ? true
            : undefined;
        },
        2_000,
        20,
      );
      expect(stream.text()).toContain(id);
      for (const pid of await demo.workerPids()) {
        const inbox = await requestOnWorker(`${demo.url}/api/cluster/inbox`, { pid });
        const messages = (inbox.json as { messages: Array<{ id: string; message: string }> }).messages;
        expect(messages.find((m) => m.id === id)?.message).toBe('hello hive');
      }
    } finally {
      stream.close();
    }
  });

  it('POST /api/cluster/broadcast refuses an empty message', async () => {
    const reply = await freshRequest(`${demo.url}/api/cluster/broadcast`, { body: { message: ' ' } });
    expect(reply.status).toBe(400);
  });

  it('a session survives kill -9 of the worker that wrote it', async () => {
    const { cookie, pid } = await login('bob');
    process.kill(pid, 'SIGKILL');
    await waitFor(
      'a replacement worker',
      async () => {
        const pids = await demo.workerPids();
        return pids.length === 2 && !pids.includes(pid) ? true : undefined;
      },
      15_000,
      100,
    );
    const seen = await whoamiEverywhere(cookie);
    expect(seen.map((s) => s.user)).toEqual(['bob', 'bob']);
  });

  it('a session survives a rolling restart (SIGHUP)', async () => {
    const { cookie } = await login('cy');
    const before = await demo.workerPids();
    demo.process.signal('SIGHUP');
    await waitFor(
      'every worker replaced',
      async () => {
        const pids = await demo.workerPids();
        return pids.length === 2 && pids.every((p) => !before.includes(p)) ? true : undefined;
      },
      30_000,
      100,
    );
    const seen = await whoamiEverywhere(cookie);
    expect(seen.map((s) => s.user)).toEqual(['cy', 'cy']);
  });

  it('a store call the primary cannot answer fails with 503 and a clear log line, never hangs or logs the user out', async () => {
    const { cookie } = await login('dee');
    // Nobody has read eve's session since its last write: no worker holds a copy of it.
    const { cookie: unread } = await login('eve');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warm = await freshRequest(`${demo.url}/api/whoami`, { cookie, agent });
      expect(warm.json).toEqual({ user: 'dee' });
      demo.process.signal('SIGSTOP');
      try {
        const started = Date.now();
        const read = await freshRequest(`${demo.url}/api/whoami`, { cookie: unread, agent });
        expect(read.status).toBe(503);
        expect(Date.now() - started).toBeLessThan(4_000);
        // A write needs the primary even where the worker holds a copy to read.
        const write = await freshRequest(`${demo.url}/api/visits`, { cookie, agent });
        expect(write.status).toBe(503);
        const ping = await freshRequest(`${demo.url}/api/ping`, { agent });
        expect(ping.status).toBe(200);
      } finally {
        demo.process.signal('SIGCONT');
      }
      await sleep(100);
      const after = await freshRequest(`${demo.url}/api/whoami`, { cookie, agent });
      expect(after.json).toEqual({ user: 'dee' });
      expect((await freshRequest(`${demo.url}/api/whoami`, { cookie: unread, agent })).json).toEqual({
        user: 'eve',
      });
      expect(demo.process.output()).toMatch(/Session store get failed .*ClusterTimeoutError/);
    } finally {
      agent.destroy();
    }
  });
});
