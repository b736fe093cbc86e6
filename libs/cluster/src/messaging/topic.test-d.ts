/**
 * Compile-time checks of typed topics, run by `topic.types.spec.ts` with `tsc`. Every line marked
 * `@ts-expect-error` must fail to compile (tsc reports an unused directive otherwise); everything
 * else must compile.
 */
import { type Observable } from 'rxjs';
import { ClusterRequestHandler, OnClusterMessage } from '../cluster.decorators.js';
import { type ClusterMessaging } from './cluster-messaging.interface.js';
import { type PayloadOf, type ReplyOf, defineTopic } from './topic.js';

interface Greeting {
  readonly name: string;
}

const GREET = defineTopic<Greeting, string>('greet');
const EVICT = defineTopic<{ readonly key: string }>('cache:evict');

declare const cluster: ClusterMessaging;

export async function compiles(): Promise<unknown[]> {
  const reply: string = await cluster.request(GREET, { name: 'Ada' }, { to: 'primary', timeoutMs: 100 });
  const reply$: Observable<string> = cluster.request$(GREET, { name: 'Ada' });
  await cluster.send(GREET, { name: 'Ada' }, { to: 3 });
  await cluster.broadcast(EVICT, { key: 'user:1' }, { includeSelf: true });
  const greetings: Observable<Greeting> = cluster.on(GREET);
  const untyped: Observable<unknown> = cluster.on('anything');
  const remove = cluster.handle(
    GREET,
    (payload, context) => `hello ${payload.name} from ${String(context.from)}`,
  );
  cluster.handle(GREET, async (payload) => payload.name);
  const payload: PayloadOf<typeof GREET> = { name: 'x' };
  const answer: ReplyOf<typeof GREET> = 'y';
  return [reply, reply$, greetings, untyped, remove, payload, answer];
}

export async function doesNotCompile(): Promise<unknown[]> {
  // @ts-expect-error the payload lacks `name`
  await cluster.request(GREET, { nom: 'Ada' });
  // @ts-expect-error the payload is not a Greeting
  await cluster.send(GREET, 42);
  // @ts-expect-error `key` must be a string
  await cluster.broadcast(EVICT, { key: 1 });
  // @ts-expect-error the payload lacks `name`
  cluster.request$(GREET, {});
  // @ts-expect-error the reply of GREET is a string
  const wrongReply: number = await cluster.request(GREET, { name: 'Ada' });
  // @ts-expect-error on(GREET) emits Greetings
  const wrongStream: Observable<number> = cluster.on(GREET);
  // @ts-expect-error a handler must produce the reply type
  cluster.handle(GREET, () => 42);
  // @ts-expect-error a handler receives the topic's payload type
  cluster.handle(GREET, (value: number) => String(value));
  return [wrongReply, wrongStream];
}

export class Handlers {
  @ClusterRequestHandler(GREET)
  greet(payload: Greeting): string {
    return payload.name;
  }

  @OnClusterMessage(EVICT)
  evict(payload: { key: string }): void {
    void payload;
  }

  // @ts-expect-error the decorated method must take the topic's payload
  @ClusterRequestHandler(GREET)
  wrongPayload(payload: number): string {
    return String(payload);
  }

  // @ts-expect-error the decorated method must return the topic's reply
  @ClusterRequestHandler(GREET)
  wrongResult(payload: Greeting): number {
    return payload.name.length;
  }

  // @ts-expect-error the listener must take the topic's payload
  @OnClusterMessage(EVICT)
  wrongListener(payload: number): void {
    void payload;
  }
}
