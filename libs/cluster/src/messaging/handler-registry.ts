import { type Observable } from 'rxjs';
import { DuplicateHandlerError } from '../cluster.errors.js';
import { type ClusterMessageContext } from '../cluster.interfaces.js';

/** What a request handler may return: a value, a Promise, or an Observable (its first value is the reply). */
export type ClusterHandlerResult<Reply> = Reply | Promise<Reply> | Observable<Reply>;

/** A request handler registered with `handle()` or `@ClusterRequestHandler()`. */
export type ClusterRequestHandlerFn<Payload, Reply> = (
  payload: Payload,
  context: ClusterMessageContext,
) => ClusterHandlerResult<Reply>;

/** A handler with its payload already checked. */
export type CheckedHandler = (
  payload: unknown,
  context: ClusterMessageContext,
) => ClusterHandlerResult<unknown>;

/** The request handlers of one endpoint: exactly one per topic. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, CheckedHandler>();

  /** Whether `topic` has a handler. */
  has(topic: string): boolean {
    return this.handlers.has(topic);
  }

  /** The handler of `topic`, if any. */
  get(topic: string): CheckedHandler | undefined {
    return this.handlers.get(topic);
  }

  /**
   * Registers the handler of `topic`.
   *
   * @returns a function that removes it.
   * @throws DuplicateHandlerError when `topic` already has one.
   */
  register(topic: string, handler: CheckedHandler): () => void {
    if (this.handlers.has(topic)) throw new DuplicateHandlerError(topic);
    this.handlers.set(topic, handler);
    return () => {
      if (this.handlers.get(topic) === handler) this.handlers.delete(topic);
    };
  }

  /** Removes every handler. */
  clear(): void {
    this.handlers.clear();
  }
}
