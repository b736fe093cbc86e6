// @nestjs/common loads reflect-metadata, which declares Reflect.getMetadata / defineMetadata.
import type {} from '@nestjs/common';
import { type Observable } from 'rxjs';
import { guardHandlerHost } from './cluster-handler.guard.js';
import { type ClusterHandlerMetadata, addHandlerMetadata } from './cluster-handler.metadata.js';
import { type ClusterMessageContext } from './cluster.interfaces.js';
import { type ClusterHandlerResult } from './messaging/handler-registry.js';
import { type ClusterTopic, type TopicLike } from './messaging/topic.js';

/** A method decorator that only accepts methods assignable to `Signature`. */
export type TypedMethodDecorator<Signature> = <Method extends Signature>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<Method>,
) => void;

type AnyMethodDecorator = (
  target: object,
  key: string | symbol,
  descriptor: { readonly value?: unknown },
) => void;

function storeOn(
  target: object,
  descriptor: { readonly value?: unknown },
  entry: ClusterHandlerMetadata,
): void {
  const method = descriptor.value;
  if (typeof method !== 'function') return;
  addHandlerMetadata(method, entry);
  guardHandlerHost(target);
}

/**
 * Subscribes a provider (or controller) method to one topic's messages and broadcasts, for the
 * life of the app. The method gets the payload and a `ClusterMessageContext`.
 *
 * @example
 * ```ts
 * @Injectable()
 * class CacheInvalidator {
 *   @OnClusterMessage(CACHE_EVICT)
 *   evict({ key }: { key: string }) { this.cache.delete(key); }
 * }
 * ```
 */
export function OnClusterMessage<Payload, Reply>(
  topic: ClusterTopic<Payload, Reply>,
): TypedMethodDecorator<(payload: Payload, context: ClusterMessageContext) => unknown>;
export function OnClusterMessage(
  topic: string,
): TypedMethodDecorator<(payload: never, context: ClusterMessageContext) => unknown>;
export function OnClusterMessage(topic: TopicLike): AnyMethodDecorator {
  return (target, _key, descriptor) => {
    storeOn(target, descriptor, { kind: 'message', topic });
  };
}

/**
 * Makes a provider (or controller) method the request handler of a topic on this endpoint. It may
 * return the reply, a Promise of it, or an Observable (its first value is the reply). A throw
 * reaches the caller as `RemoteError`.
 *
 * @example
 * ```ts
 * @Injectable()
 * class Counter {
 *   private value = 0;
 *   @ClusterRequestHandler(COUNTER_NEXT)
 *   next(): number { return ++this.value; }
 * }
 * ```
 */
export function ClusterRequestHandler<Payload, Reply>(
  topic: ClusterTopic<Payload, Reply>,
): TypedMethodDecorator<
  (payload: Payload, context: ClusterMessageContext) => ClusterHandlerResult<Reply> | Observable<Reply>
>;
export function ClusterRequestHandler(
  topic: string,
): TypedMethodDecorator<(payload: never, context: ClusterMessageContext) => unknown>;
export function ClusterRequestHandler(topic: TopicLike): AnyMethodDecorator {
  return (target, _key, descriptor) => {
    storeOn(target, descriptor, { kind: 'request', topic });
  };
}
