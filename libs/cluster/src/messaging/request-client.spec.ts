import { afterEach, describe, expect, it } from '@jest/globals';
import { PayloadValidationError, RemoteError } from '../cluster.errors.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { type EndpointLink } from '../hub/endpoint-link.js';
import { PrimaryHub } from '../hub/primary-hub.js';
import { MessageCodec } from '../ipc/message-codec.js';
import { errorReplyEnvelope, replyEnvelope, requestEnvelope } from '../wire/envelope.build.js';
import { type DataEnvelope, type MessageEnvelope } from '../wire/envelope.types.js';
import { PendingRequests } from './pending-requests.js';
import { RequestClient } from './request-client.js';
import { defineTopic } from './topic.js';

const hubs: PrimaryHub[] = [];
afterEach(() => hubs.splice(0).forEach((hub) => hub.close()));

/** A client at worker 0 of a real hub, and the envelopes that reach the primary. */
function setup(): { client: RequestClient; link: EndpointLink; atPrimary: DataEnvelope[]; invalid: Error[] } {
  const hub = new PrimaryHub(new MessageCodec('json', 1024 * 1024), new ClusterTable(), 100);
  hubs.push(hub);
  const atPrimary: DataEnvelope[] = [];
  hub.attach('primary', () => true).inbound$.subscribe((envelope) => atPrimary.push(envelope));
  const link = hub.attach(0, () => false);
  const invalid: Error[] = [];
  return { client: new RequestClient(link, 250, (error) => invalid.push(error)), link, atPrimary, invalid };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('RequestClient', () => {
  it('builds a request with the default timeout and decodes its reply', async () => {
    const { client, link, atPrimary } = setup();
    const pending = new PendingRequests();
    link.inbound$.subscribe((envelope) => {
      if (envelope.kind === 'reply' || envelope.kind === 'error-reply') pending.settle(envelope);
    });
    const answer = pending.start(client.request('sum', [1, 2], {}));
    await tick();
    const request = atPrimary[0];
    if (request?.kind !== 'request') throw new Error('no request reached the primary');
    expect(request).toMatchObject({ kind: 'request', topic: 'sum', from: 0, to: 'primary', timeoutMs: 250 });
    await link.post(replyEnvelope({ request, from: 'primary', payload: 3 }));
    await expect(answer).resolves.toBe(3);
  });

  it('refuses a reply that fails the reply validator, and reports it', () => {
    const { client, invalid } = setup();
    const topic = defineTopic<null, number>('n', {
      validateReply: (value): value is number => typeof value === 'number',
    });
    const tracked = client.request(topic, null, { to: 'primary', timeoutMs: 10 });
    expect(tracked.timeoutMs).toBe(10);
    const request = requestEnvelope({
      id: tracked.id,
      topic: 'n',
      from: 0,
      to: 'primary',
      payload: null,
      timeoutMs: 10,
    });
    const reply = replyEnvelope({ request, from: 'primary', payload: 'not a number' });
    expect(() => tracked.decode(reply)).toThrow(PayloadValidationError);
    expect(invalid).toHaveLength(1);
  });

  it('asks for a receipt only where the hub needs one, and reads a failed receipt as the remote error', () => {
    const { client } = setup();
    const message: MessageEnvelope = client.message('note', { a: 1 }, 'primary');
    expect(message).toMatchObject({ kind: 'message', from: 0, to: 'primary', receipt: false });
    const receipted = client.receipted(message);
    expect(receipted).toMatchObject({ id: message.id, topic: 'note', target: 'primary', timeoutMs: 250 });
    const failure = errorReplyEnvelope({
      request: message,
      from: 'primary',
      payload: { reason: 'handler-error', name: 'Error', message: 'boom' },
    });
    expect(() => receipted.decode(failure)).toThrow(RemoteError);
    expect(
      receipted.decode(replyEnvelope({ request: message, from: 'primary', payload: null })),
    ).toBeUndefined();
  });
});
