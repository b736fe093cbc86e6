/**
 * The `serialization` option: 'advanced' carries Dates, Maps and BigInts over IPC; with 'json' a
 * payload JSON cannot encode is refused with MessageSerializationError before it is sent.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from './support/cluster-fixture.js';
import { onWorker } from './support/http-client.js';

describe('bootstrapCluster: serialization', () => {
  let fixture: ClusterFixture | undefined;

  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it("'advanced' round-trips Date, Map and BigInt between worker and primary", async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '1',
      FIXTURE_SERIALIZATION: 'advanced',
      FIXTURE_PRIMARY_CONTEXT: '0',
    });
    await fixture.bootstrapped();
    const worker = fixture.events('fork')[0].workerId;
    const { body } = await onWorker(fixture.url, worker, '/rpc/rich', {});
    expect(body).toMatchObject({ ok: true, date: true, map: true, bigint: true });
  });

  it("'json' refuses an unserializable payload with MessageSerializationError and keeps working", async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '1', FIXTURE_PRIMARY_CONTEXT: '0' });
    await fixture.bootstrapped();
    const worker = fixture.events('fork')[0].workerId;
    const { body } = await onWorker(fixture.url, worker, '/rpc/rich', {});
    expect(body).toMatchObject({ ok: false, error: { name: 'MessageSerializationError' } });
    const echo = await onWorker(fixture.url, worker, '/rpc/request', {
      topic: 'echo',
      payload: { i: 2, nonce: 'j' },
    });
    expect(echo.body).toMatchObject({ ok: true, value: { i: 2, nonce: 'j' } });
  });
});
