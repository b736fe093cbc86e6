import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type BroadcastPacket, ClusterError } from '@nest-hive/cluster';
// The transport class behind redisBroadcastTransport(), tested on its own (it is not exported).
import { RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { Redis } from 'ioredis';
import { firstValueFrom, take, toArray } from 'rxjs';
import { waitFor } from '../support/processes.js';
import { OwnRedisServer, REDIS_URL, redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

const packet = (n: number): BroadcastPacket => ({
  id: `p${n}`,
  topic: 'test:topic',
  payload: { n },
  from: 1,
  origin: 'origin-a',
  includeSelf: false,
});

describeRedis('RedisBroadcastTransport on a real Redis', () => {
  const transports: RedisBroadcastTransport[] = [];
  const make = (channel: string, options: { url?: string } = {}): RedisBroadcastTransport => {
    const transport = new RedisBroadcastTransport({ url: options.url ?? REDIS_URL, channel });
    transports.push(transport);
    return transport;
  };
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  it('delivers each published packet to every transport on the channel, in order', async () => {
    const channel = `test:${randomBytes(4).toString('hex')}`;
    const a = make(channel);
    const b = make(channel);
    await Promise.all([a.whenSubscribed(), b.whenSubscribed()]);
    const atB = firstValueFrom(b.packets$.pipe(take(3), toArray()));
    const atA = firstValueFrom(a.packets$.pipe(take(3), toArray()));
    for (let n = 0; n < 3; n++) await a.publish(packet(n));
    expect((await atB).map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    expect((await atA).map((p) => p.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('drops foreign and malformed messages on the channel without failing', async () => {
    const channel = `test:${randomBytes(4).toString('hex')}`;
    const transport = make(channel);
    await transport.whenSubscribed();
    const received: BroadcastPacket[] = [];
    transport.packets$.subscribe((p) => received.push(p));
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ hello: 'world' }));
      await raw.publish(channel, JSON.stringify({ ...packet(1), from: 'someone' }));
      await raw.publish(channel, JSON.stringify(packet(2)));
    } finally {
      await raw.quit();
    }
    await waitFor('the valid packet', () => (received.length > 0 ? true : undefined), 2_000, 20);
    expect(received.map((p) => p.id)).toEqual(['p2']);
  });

  it('completes packets$ on close', async () => {
    const transport = make(`test:${randomBytes(4).toString('hex')}`);
    const done = new Promise<void>((resolve) => transport.packets$.subscribe({ complete: resolve }));
    await transport.close();
    await expect(done).resolves.toBeUndefined();
  });

  it('rejects publishing during an outage, and delivers again once Redis is back', async () => {
    const server = await OwnRedisServer.start();
    try {
      const channel = 'test:outage';
      const sender = make(channel, { url: server.url });
      const receiver = make(channel, { url: server.url });
      await Promise.all([sender.whenSubscribed(), receiver.whenSubscribed()]);
      await server.pause();
      const refused: unknown = await sender.publish(packet(1)).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Named and catchable like every other error of the library, with Redis' own error as the cause.
      expect(refused).toBeInstanceOf(ClusterError);
      expect(String(refused)).toMatch(/Redis/);
      expect((refused as Error).cause).toBeInstanceOf(Error);
      await server.resume();
      const received: string[] = [];
      receiver.packets$.subscribe((p) => received.push(p.id));
      await waitFor(
        'a packet after the outage',
        async () => {
          await sender.publish(packet(2)).catch(() => undefined);
          return received.includes('p2') ? true : undefined;
        },
        10_000,
        200,
      );
    } finally {
      await Promise.all(transports.splice(0).map((t) => t.close()));
      await server.dispose();
    }
  }, 30_000);
});
