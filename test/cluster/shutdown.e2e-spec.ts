/**
 * Behaviour 6: SIGTERM / SIGINT to the primary is a graceful shutdown.
 */
import { Agent, request } from 'node:http';
import { type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { ClusterFixture } from './support/cluster-fixture.js';
import { http, pick } from './support/http-client.js';

describe('bootstrapCluster: graceful shutdown', () => {
  let fixture: ClusterFixture | undefined;
  let agent: Agent | undefined;

  afterEach(async () => {
    agent?.destroy();
    agent = undefined;
    await fixture?.stop();
    fixture = undefined;
  });

  it.each(HTTP_ADAPTERS)(
    'SIGTERM (%s): the in-flight 1.5 s request completes with 200, idle keep-alive sockets close at once, the event stream is closed, shutdown hooks run, nothing respawns, exit 0',
    async (adapter) => {
      fixture = await ClusterFixture.start({
        FIXTURE_WORKERS: '2',
        FIXTURE_SHUTDOWN_TIMEOUT_MS: '8000',
        FIXTURE_HTTP_ADAPTER: adapter,
      });
      await fixture.bootstrapped();
      const base = fixture.url;

      // An idle keep-alive connection: one request, then it sits in the agent's pool.
      agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let idleSocket: Socket | undefined;
      const warm = await http(`${base}/whoami`, { agent, onSocket: (socket) => (idleSocket = socket) });
      expect(warm.status).toBe(200);
      expect(idleSocket?.destroyed).toBe(false);
      let idleClosedAt = 0;
      idleSocket?.once('close', () => (idleClosedAt = Date.now()));

      // A Server-Sent Events stream, which never ends on its own, is open too.
      const sse = request(`${base}/events`, { headers: { accept: 'text/event-stream' } });
      const sseClosed = new Promise<void>((resolve) => sse.once('close', () => resolve()));
      sse.on('error', () => undefined);
      sse.end();
      await fixture.waitFor('the event stream to open', () => fixture?.linesOf('sse-open', 'worker')[0]);

      // A slow request in flight when SIGTERM arrives.
      let slowDoneAt = 0;
      const slow = http(`${base}/slow?ms=1500`).then((answer) => {
        slowDoneAt = Date.now();
        return answer;
      });
      await fixture.waitFor('the slow request to start', () => fixture?.linesOf('slow-start', 'worker')[0]);
      const sigtermAt = Date.now();
      fixture.signal('SIGTERM');

      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(pick(answer.body, 'waited')).toBe(1500);
      expect(idleClosedAt).toBeGreaterThan(0);
      expect(idleClosedAt).toBeLessThan(slowDoneAt); // closed at once, not after the in-flight request

      const exit = await fixture.waitForExit();
      expect(exit.code).toBe(0);
      await sseClosed; // the event stream was closed so the worker could stop, long before shutdownTimeoutMs
      expect(Date.now() - sigtermAt).toBeLessThan(6_000);
      // Every worker ran Nest's shutdown hooks and exited on its own with code 0.
      const forks = fixture.events('fork');
      expect(forks).toHaveLength(2);
      const hooked = fixture.linesOf('shutdown-hook', 'worker').map((line) => line.workerId);
      expect(hooked.sort()).toEqual(forks.map((event) => event.workerId).sort());
      const exits = fixture.events('exit');
      expect(exits).toHaveLength(2);
      for (const event of exits) expect(event).toMatchObject({ code: 0, signal: null, reason: 'stopped' });
      expect(fixture.events('fork').every((event) => event.at < sigtermAt)).toBe(true);
    },
  );

  it('kills stragglers after shutdownTimeoutMs, respawns nothing once shutdown began (even a worker killed meanwhile), and exits non-zero', async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_HANG_SHUTDOWN: '1',
      FIXTURE_SHUTDOWN_TIMEOUT_MS: '700',
      FIXTURE_RESTART: JSON.stringify({ initialDelayMs: 10, maxDelayMs: 10 }),
    });
    await fixture.bootstrapped();
    const forks = fixture.events('fork');
    const sigtermAt = Date.now();
    fixture.signal('SIGTERM');

    // Shutdown has begun once a worker runs its (hanging) shutdown hook; kill the other one hard.
    const [hook] = await fixture.waitFor('a shutdown hook', () => {
      const lines = fixture?.linesOf('shutdown-hook', 'worker') ?? [];
      return lines.length > 0 ? lines : undefined;
    });
    const victim = forks.find((event) => event.pid !== hook?.pid);
    process.kill(Number(victim?.pid), 'SIGKILL');

    const exit = await fixture.waitForExit();
    expect(exit.code).toBe(1); // not clean: one straggler was killed, one worker died by signal
    const exits = fixture.events('exit');
    expect(exits).toHaveLength(2);
    const straggler = exits.find((event) => event.pid === hook?.pid);
    expect(straggler).toMatchObject({ reason: 'shutdown-timeout', signal: 'SIGKILL' });
    expect(Number(straggler?.at) - sigtermAt).toBeGreaterThanOrEqual(650);
    expect(exits.find((event) => event.pid === victim?.pid)).toMatchObject({ signal: 'SIGKILL' });
    expect(fixture.events('fork')).toHaveLength(2); // nothing respawned after SIGTERM
  });

  it('SIGINT is a graceful shutdown too', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '1' });
    await fixture.bootstrapped();
    fixture.signal('SIGINT');
    const exit = await fixture.waitForExit();
    expect(exit.code).toBe(0);
    expect(fixture.linesOf('shutdown-hook', 'worker')).toHaveLength(1);
    expect(fixture.events('exit')).toEqual([expect.objectContaining({ code: 0, reason: 'stopped' })]);
  });

  it('Ctrl-C while the workers are still starting (SIGINT to the whole process group) exits 0 without an error or a stack trace', async () => {
    fixture = await ClusterFixture.start(
      { FIXTURE_WORKERS: '2', FIXTURE_READY_DELAY_MS: '100' },
      { ownProcessGroup: true },
    );
    const started = fixture;
    // A worker factory is still running (it resolves 100 ms after listen), and will resolve just
    // after the stop request: the race a Ctrl-C during start-up hits.
    await started.waitFor('a worker listening (not ready yet)', () =>
      started.linesOf('listening', 'worker').length >= 1 ? true : undefined,
    );
    fixture.signalGroup('SIGINT');
    const exit = await fixture.waitForExit(10_000);
    expect(fixture.linesOf('bootstrapped')).toHaveLength(0); // it was still starting
    expect(exit).toEqual({ code: 0, signal: null });
    expect(fixture.linesOf('uncaught')).toHaveLength(0);
    const problems = fixture.output.filter(
      (line) => /Error|^\s+at |\[stderr\]/.test(line) && !line.startsWith('{'),
    );
    expect(problems).toEqual([]);
    // The workers stopped gracefully too: each ran its shutdown hooks or exited before having any.
    for (const line of fixture.linesOf('exit', 'worker')) expect(line.code).toBe(0);
  });

  it('Ctrl-C right after the fork, while the workers still load their code (no signal handlers yet), exits 0 too', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '2' }, { ownProcessGroup: true });
    const started = fixture;
    await started.waitForEvent('both forks', (event) => event.type === 'fork', 2);
    fixture.signalGroup('SIGINT');
    const exit = await fixture.waitForExit(10_000);
    expect(fixture.linesOf('bootstrapped')).toHaveLength(0);
    expect({ exit, tail: fixture.tail() }).toEqual({ exit: { code: 0, signal: null }, tail: fixture.tail() });
    expect(fixture.linesOf('uncaught')).toHaveLength(0);
  });
});
