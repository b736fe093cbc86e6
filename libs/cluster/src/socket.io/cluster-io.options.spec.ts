import { describe, expect, it } from '@jest/globals';
import { InvalidClusterOptionsError } from '../cluster.errors.js';
import { DEFAULT_CLUSTER_IO_OPTIONS, resolveClusterIoOptions } from './cluster-io.options.js';
import { isSocketIoPacket } from './socket-io.wire.js';

describe('ClusterIoAdapter options', () => {
  it('merges the defaults', () => {
    expect(resolveClusterIoOptions({})).toEqual({
      messaging: undefined,
      eventRateLimit: undefined,
      ...DEFAULT_CLUSTER_IO_OPTIONS,
    });
  });

  it.each([
    { drainSpreadMs: -1 },
    { drainSpreadMs: Number.NaN },
    { heartbeatIntervalMs: 0 },
    { heartbeatIntervalMs: 5_000, heartbeatTimeoutMs: 5_000 },
    { eventRateLimit: { events: 0, intervalMs: 1_000 } },
    { eventRateLimit: { events: 10, intervalMs: 0 } },
  ])('refuses %j with InvalidClusterOptionsError', (options) => {
    expect(() => resolveClusterIoOptions(options)).toThrow(InvalidClusterOptionsError);
  });
});

describe('socket.io packets on the cluster', () => {
  const node = { cluster: 'host/1', worker: 2 };
  it('accepts adapter messages and responses with their sender', () => {
    expect(isSocketIoPacket({ node, message: { uid: 'a', nsp: '/', type: 3, data: {} } })).toBe(true);
    expect(
      isSocketIoPacket({ node, response: { uid: 'a', nsp: '/', type: 8, data: {} }, requester: 'b' }),
    ).toBe(true);
  });

  it.each([
    null,
    { node, message: { uid: 'a', nsp: '/', type: 99 } },
    { node, message: { uid: 1, nsp: '/', type: 3 } },
    { node: { cluster: 'x' }, message: { uid: 'a', nsp: '/', type: 3 } },
    { node, response: { uid: 'a', nsp: '/', type: 8 } },
    { message: { uid: 'a', nsp: '/', type: 3 } },
  ])('refuses %j', (value) => {
    expect(isSocketIoPacket(value)).toBe(false);
  });
});
