/**
 * The Redis broadcast transport's wire format on a real Redis: packets of older senders (no
 * sender id and sequence number) still arrive and count no gap, a packet seen twice arrives
 * once, and a sender's skipped numbers are counted as gaps.
 */
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { waitFor } from '../support/processes.js';
import { REDIS_URL, redisReachable } from '../support/redis.js';
import { Receiver, numbered, sleep, uniqueChannel } from './broadcast-probe.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('the Redis broadcast wire format', () => {
  it('delivers old and duplicate packets right, and counts skipped numbers as gaps', async () => {
    const channel = uniqueChannel('wire');
    const transport = new RedisBroadcastTransport({
      url: REDIS_URL,
      channel,
      watchdogIntervalMs: 100,
      watchdogTimeoutMs: 300,
    });
    const receiver = new Receiver(transport);
    const raw = new Redis(REDIS_URL);
    try {
      await transport.whenSubscribed();
      const send = (n: number, stamp?: { senderId: string; seq: number }) =>
        raw.publish(channel, JSON.stringify({ ...numbered('raw', n), ...stamp }));
      await send(1); // an older sender: no stamp
      await send(2, { senderId: 's', seq: 1 });
      await send(3, { senderId: 's', seq: 1 }); // the same stamp again: dropped
      await send(4, { senderId: 's', seq: 2 });
      await send(5, { senderId: 's', seq: 5 }); // 3 and 4 never come
      await send(6, { senderId: 's', seq: 3 }); // 3 comes late, within watchdogTimeoutMs
      await waitFor('the packets', () => (receiver.numbersFrom('raw').length >= 5 ? true : undefined));
      await sleep(600);
      expect(receiver.numbersFrom('raw')).toEqual([1, 2, 4, 5, 6]);
      expect(transport.stats().gaps).toBe(1);
    } finally {
      receiver.stop();
      raw.disconnect();
      await transport.close();
    }
  });
});
