/**
 * Concurrent writes on the cluster-shared store (held by the primary, reached over IPC),
 * through a real two-worker cluster and real HTTP: loads and saves interleaved by a latch.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { interleavedDifferentKeys, interleavedSameKey, sessionGet } from '../support/interleaved-writes.js';
import { LatchServer } from '../support/latch-server.js';
import { freePort, startNode, waitFor, type RunningProcess } from '../support/processes.js';
import { TEST_SECRET } from '../support/session-app.js';

describe('ClusterSessionStore: concurrent writes through two workers', () => {
  let cluster: RunningProcess;
  let url: string;
  let latches: LatchServer;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    cluster = startNode('dist-test/fixtures/cluster-session/app.js', {
      PORT: String(port),
      FIXTURE_WORKERS: '2',
      FIXTURE_SECRET: TEST_SECRET,
    });
    await waitFor(
      'the two-worker session cluster',
      () => (/READY/.test(cluster.output()) ? true : undefined),
      30_000,
    );
    latches = await LatchServer.start();
  }, 40_000);

  afterAll(async () => {
    await latches?.close();
    await cluster?.stop();
  });

  async function session(): Promise<string> {
    const first = await request(url, '/probe/write?k=user&v=ann');
    expect(first.status).toBe(200);
    const cookie = first.sessionCookie as string;
    expect((await request(url, '/probe/write?k=x&v=one', { cookie })).status).toBe(200);
    return cookie;
  }

  it('different keys that both existed at load, loads and saves interleaved: both survive', async () => {
    await interleavedDifferentKeys(sessionGet(url), await session(), latches);
  });

  it('the same key, loads and saves interleaved: the write saved last wins', async () => {
    await interleavedSameKey(sessionGet(url), await session(), latches);
  });

  it('a session written through one worker is read through the other', async () => {
    const cookie = await session();
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const reply = await request(url, '/probe/read', { cookie });
      expect(reply.json).toMatchObject({ data: { user: 'ann', x: 'one' } });
      pids.add((reply.json as { pid: number }).pid);
    }
    expect(pids.size).toBe(2);
  });
});
