/**
 * Behaviours 8–12 and 15, plus the ClusterService API itself (self, workers(), send, broadcast,
 * on, request, request$, handlers), across a real forked cluster: two workers and a primary with
 * a Nest application context.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFixture, isAlive } from './support/cluster-fixture.js';
import { onWorker, pick } from './support/http-client.js';

describe('ClusterService over IPC', () => {
  let fixture: ClusterFixture;
  let a: number; // worker ids
  let b: number;

  const rpc = async (worker: number, path: string, body?: Record<string, unknown>): Promise<unknown> =>
    (await onWorker(fixture.url, worker, path, body)).body;
  const inbox = (worker: number): Promise<unknown> => rpc(worker, '/rpc/inbox');
  /** The late-reply count of a process' request counters (`/rpc/pending`, or the `pending` command). */
  const late = (state: unknown): number => {
    const value = pick(state, 'late');
    if (typeof value !== 'number') throw new Error(`no late-reply count in ${JSON.stringify(state)}`);
    return value;
  };
  /** Polls `read` (a process' request counters) until its late-reply count moved from `before`, for 5 s at most. */
  const lateReply = async (read: () => Promise<unknown>, before: number): Promise<unknown> => {
    let state: unknown;
    const deadline = Date.now() + 5_000;
    do {
      state = await read();
    } while (late(state) === before && Date.now() < deadline);
    return state;
  };
  const list = (value: unknown, path: string): unknown[] => {
    const found = pick(value, path);
    if (!Array.isArray(found)) throw new Error(`${path} is not a list in ${JSON.stringify(value)}`);
    return found;
  };

  beforeAll(async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '2' });
    await fixture.bootstrapped();
    const ids = fixture.events('fork').map((event) => event.workerId);
    expect(ids).toHaveLength(2);
    a = Number(ids[0]);
    b = Number(ids[1]);
  });

  afterAll(async () => {
    await fixture.stop();
  });

  describe('identity and the worker table', () => {
    it('self, workers() asked of the primary, and the replayed workers$', async () => {
      const who = await onWorker(fixture.url, a, '/whoami');
      expect(pick(who.body, 'self')).toEqual({
        isPrimary: false,
        workerId: a,
        slot: 0,
        pid: expect.any(Number),
        mode: 'cluster',
      });
      const table = await rpc(b, '/rpc/workers');
      expect(pick(table, 'snapshot.primary.pid')).toBe(fixture.pid);
      expect(list(table, 'snapshot.workers').map((row) => pick(row, 'id'))).toEqual([a, b]);
      expect(pick(table, 'replayed')).toEqual(pick(table, 'snapshot.workers'));
      const context = await rpc(a, '/rpc/request', { topic: 'ctx:self' });
      expect(pick(context, 'value')).toEqual({
        isPrimary: true,
        workerId: null,
        slot: null,
        pid: fixture.pid,
        mode: 'cluster',
      });
    });

    it('forwards lifecycle events to the workers (events$)', async () => {
      // Each worker subscribes to events$ before it reports ready, so the worker that became ready
      // first was surely listening when the other one's ready came: whichever order start-up took.
      const ready = fixture.events('ready').map((event) => event.workerId);
      expect([...ready].sort((x, y) => x - y)).toEqual([a, b].sort((x, y) => x - y));
      const [first, last] = ready as [number, number];
      const events = list(await inbox(first), 'events');
      expect(events).toContainEqual(expect.objectContaining({ type: 'ready', workerId: last }));
    });
  });

  describe('request / reply', () => {
    it('worker → primary: a decorated handler in the primary context, a plain-code handler, Promise and Observable forms', async () => {
      const greet = await rpc(a, '/rpc/request', { topic: 'greet', payload: { name: 'Ada' } });
      expect(pick(greet, 'value')).toBe('hello Ada');
      const observable = await rpc(a, '/rpc/request', {
        topic: 'greet',
        payload: { name: 'Bob' },
        observable: true,
      });
      expect(pick(observable, 'value')).toBe('hello Bob');
      const echo = await rpc(b, '/rpc/request', { topic: 'echo', payload: { i: 7, nonce: 'x' } });
      expect(pick(echo, 'value')).toEqual({ i: 7, nonce: 'x' });
    });

    it('primary → worker and worker → worker (through the primary)', async () => {
      const fromPrimary = await fixture.command('request', { to: b, topic: 'whoami' });
      expect(pick(fromPrimary.value, 'value.workerId')).toBe(b);
      const fromContext = await fixture.command('request', { to: a, topic: 'whoami', viaContext: true });
      expect(pick(fromContext.value, 'value.workerId')).toBe(a);
      const sibling = await rpc(a, '/rpc/request', { to: b, topic: 'whoami' });
      expect(pick(sibling, 'value.workerId')).toBe(b);
      // The context and the plain-code endpoint share the address 'primary': each reply reached only
      // its asker (one delivered to the wrong endpoint would be dropped there as a late reply).
      const pending = await fixture.command('pending');
      expect(pending.value).toEqual({ pending: 0, late: 0 });
    });

    it('a handler that throws gives RemoteError with the remote name and message; no handler fails fast with NoHandlerError', async () => {
      const remote = await rpc(a, '/rpc/request', { to: b, topic: 'boom' });
      expect(pick(remote, 'error')).toMatchObject({
        name: 'RemoteError',
        remoteName: 'BoomError',
        remoteMessage: 'kaboom from a worker',
      });
      // The caller gets the remote stack; the side whose handler threw logs the failure itself.
      expect(String(pick(remote, 'error.remoteStack'))).toMatch(/^BoomError: kaboom from a worker\n\s+at /);
      await fixture.waitFor('the worker logging its failed handler', () =>
        fixture.output.find((line) => /"boom".*threw BoomError: kaboom from a worker/.test(line)),
      );
      const plain = await rpc(b, '/rpc/request', { topic: 'plain:boom' });
      expect(pick(plain, 'error')).toMatchObject({ name: 'RemoteError', remoteName: 'RangeError' });
      expect(String(pick(plain, 'error.remoteStack'))).toMatch(/^RangeError: plain handler failed\n\s+at /);
      for (const to of ['primary', b]) {
        const missing = await rpc(a, '/rpc/request', { to, topic: 'nobody-handles-this', timeoutMs: 5000 });
        expect(pick(missing, 'error.name')).toBe('NoHandlerError');
        expect(Number(pick(missing, 'elapsedMs'))).toBeLessThan(1000);
      }
      const fromPrimary = await fixture.command('request', { to: a, topic: 'nobody-handles-this' });
      expect(fromPrimary.error?.name).toBe('NoHandlerError');
    });

    it('times out with ClusterTimeoutError, drops the late reply, and the pending table returns to empty', async () => {
      // The counters are the process' metrics (nest_hive_cluster_pending_requests and
      // nest_hive_cluster_late_replies_total); the late-reply counter is cumulative: its delta is checked.
      const lateBefore = late(await rpc(a, '/rpc/pending'));
      const timedOut = await rpc(a, '/rpc/request', { topic: 'plain:slow', payload: 400, timeoutMs: 100 });
      expect(pick(timedOut, 'error')).toMatchObject({ name: 'ClusterTimeoutError', timeoutMs: 100 });
      expect(Number(pick(timedOut, 'elapsedMs'))).toBeGreaterThanOrEqual(95);
      expect(Number(pick(timedOut, 'elapsedMs'))).toBeLessThan(1000);
      expect(pick(await rpc(a, '/rpc/pending'), 'pending')).toBe(0);
      // The reply arrives ~300 ms later and is dropped (counted, not delivered anywhere).
      const workerState = await lateReply(() => rpc(a, '/rpc/pending'), lateBefore);
      expect(workerState).toMatchObject({ pending: 0, late: lateBefore + 1 });

      const primaryBefore = late((await fixture.command('pending')).value);
      const fromPrimary = await fixture.command('request', {
        to: b,
        topic: 'slow',
        payload: 300,
        timeoutMs: 100,
      });
      expect(fromPrimary.error?.name).toBe('ClusterTimeoutError');
      expect(pick((await fixture.command('pending')).value, 'pending')).toBe(0);
      const primaryState = await lateReply(
        async () => (await fixture.command('pending')).value,
        primaryBefore,
      );
      expect(primaryState).toEqual({ pending: 0, late: primaryBefore + 1 });
    });

    it('1 000 concurrent requests each resolve to their own caller (worker → primary, worker → worker, primary → worker)', async () => {
      // Two workers fire 1 000 each at the primary at the same time: replies must not cross callers.
      const [fromA, fromB] = await Promise.all([
        rpc(a, '/rpc/concurrent', { to: 'primary', count: 1000 }),
        rpc(b, '/rpc/concurrent', { to: 'primary', count: 1000 }),
      ]);
      expect(fromA).toMatchObject({ count: 1000, mismatches: 0, pending: 0 });
      expect(fromB).toMatchObject({ count: 1000, mismatches: 0, pending: 0 });
      const toSibling = await rpc(b, '/rpc/concurrent', { to: a, count: 1000 });
      expect(toSibling).toMatchObject({ count: 1000, mismatches: 0, pending: 0 });
      const fromPrimary = await fixture.command('concurrent', { to: b, count: 1000 });
      expect(fromPrimary).toMatchObject({ ok: true, value: { count: 1000, mismatches: 0 } });
    });
  });

  describe('send, broadcast and on()', () => {
    it('send: worker → primary context, worker → worker (decorated @OnClusterMessage)', async () => {
      await rpc(a, '/rpc/send', { topic: 'hello-primary', payload: { n: 1 } });
      const primaryInbox = await fixture.command('inbox');
      expect(pick(primaryInbox.value, 'messages')).toContainEqual({
        kind: 'message',
        topic: 'hello-primary',
        from: a,
        id: expect.any(String),
        payload: { n: 1 },
      });
      const sent = await rpc(a, '/rpc/send', { to: b, topic: 'note', payload: { name: 'from-a' } });
      expect(sent).toMatchObject({ ok: true });
      const notes = list(await inbox(b), 'notes');
      expect(notes).toContainEqual({ name: 'from-a', from: a });
    });

    it('broadcast from a worker reaches the other workers (itself only with includeSelf); from the primary every worker', async () => {
      await rpc(a, '/rpc/broadcast', { topic: 'news', payload: 'others-only' });
      await rpc(a, '/rpc/broadcast', { topic: 'news', payload: 'everyone', includeSelf: true });
      await fixture.command('broadcast', { topic: 'news', payload: 'from-primary' });
      const payloads = async (worker: number): Promise<unknown[]> =>
        list(await inbox(worker), 'messages')
          .filter((m) => pick(m, 'topic') === 'news')
          .map((m) => pick(m, 'payload'));
      let seenByB: unknown[] = [];
      const deadline = Date.now() + 5_000;
      while (seenByB.length < 3 && Date.now() < deadline) seenByB = await payloads(b);
      expect(seenByB).toEqual(['others-only', 'everyone', 'from-primary']);
      expect(await payloads(a)).toEqual(['everyone', 'from-primary']);
      const primaryMessages = list((await fixture.command('inbox')).value, 'messages');
      expect(
        primaryMessages.filter((m) => pick(m, 'topic') === 'news').map((m) => pick(m, 'payload')),
      ).toEqual(['from-primary']);
    });
  });

  describe('robustness of the IPC layer', () => {
    it('ignores foreign messages, reports malformed nest-hive envelopes on errors$, and never crashes', async () => {
      const before = list((await fixture.command('inbox')).value, 'errors').length;
      const junk = await rpc(a, '/rpc/junk', {});
      expect(junk).toMatchObject({ foreign: 5, malformed: 2 });
      let errors: unknown[] = [];
      const deadline = Date.now() + 5_000;
      while (errors.length < before + 2 && Date.now() < deadline)
        errors = list((await fixture.command('inbox')).value, 'errors');
      const added = errors.slice(before);
      expect(added.map((e) => pick(e, 'name'))).toEqual(['MalformedEnvelopeError', 'MalformedEnvelopeError']);
      expect(String(pick(added[0], 'message'))).toContain('unknown kind "bogus"');
      expect(String(pick(added[1], 'message'))).toContain('unsupported version 99');

      // The primary puts junk on a worker's channel too.
      expect(await fixture.command('junk', { to: b })).toMatchObject({ ok: true, value: { sent: true } });
      let workerErrors: unknown[] = [];
      const until2 = Date.now() + 5_000;
      while (workerErrors.length < 2 && Date.now() < until2) workerErrors = list(await inbox(b), 'errors');
      // An unknown kind, and a batch whose items are not a list.
      expect(workerErrors.map((e) => pick(e, 'name'))).toEqual([
        'MalformedEnvelopeError',
        'MalformedEnvelopeError',
      ]);

      // Everyone is alive, nothing was respawned, and messaging still works.
      expect(fixture.linesOf('uncaught')).toEqual([]);
      expect(fixture.events('exit')).toEqual([]);
      expect(pick(await rpc(b, '/rpc/request', { to: a, topic: 'whoami' }), 'value.workerId')).toBe(a);
    });

    it('payloads failing the topic validator go to errors$ (messages) or reject with PayloadValidationError (requests)', async () => {
      const notesBefore = list(await inbox(b), 'notes').length;
      await rpc(a, '/rpc/send', { to: b, topic: 'note', payload: { nom: 'not a greeting' } });
      let errors: unknown[] = [];
      const deadline = Date.now() + 5_000;
      while (!errors.some((e) => pick(e, 'name') === 'PayloadValidationError') && Date.now() < deadline) {
        errors = list(await inbox(b), 'errors');
      }
      expect(errors).toContainEqual(expect.objectContaining({ name: 'PayloadValidationError' }));
      expect(list(await inbox(b), 'notes')).toHaveLength(notesBefore); // dropped, not handled

      const refused = await rpc(a, '/rpc/request', { topic: 'greet', payload: { nom: 1 } });
      expect(pick(refused, 'error.name')).toBe('PayloadValidationError');
      const primaryErrors = list((await fixture.command('inbox')).value, 'errors');
      expect(primaryErrors).toContainEqual(expect.objectContaining({ name: 'PayloadValidationError' }));
      expect(isAlive(fixture.pid)).toBe(true);
    });
  });
});
