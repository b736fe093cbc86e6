import { Logger } from '@nestjs/common';
import { firstValueFrom, isObservable } from 'rxjs';
import { ClusterError, NoHandlerError, WorkerUnavailableError } from '../cluster.errors.js';
import { type ClusterMessageContext } from '../cluster.interfaces.js';
import { type LinkSender } from '../hub/endpoint-link.js';
import { errorReplyEnvelope, replyEnvelope } from '../wire/envelope.build.js';
import { type FailureReason, type RequestEnvelope } from '../wire/envelope.types.js';
import { type HandlerRegistry } from './handler-registry.js';
import { failureOf } from './remote-failure.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Answers the requests that reach one endpoint: runs the topic's handler (a value, a Promise, or
 * the first value of an Observable) and sends the reply, or an `error-reply` saying why not.
 */
export class RequestResponder {
  private readonly logger = new Logger('ClusterService');

  /**
   * @param link - how the endpoint sends, for the answers.
   * @param handlers - the endpoint's request handlers.
   */
  constructor(
    private readonly link: LinkSender,
    private readonly handlers: HandlerRegistry,
  ) {}

  /** Runs the handler of `request` and answers it. Never rejects. */
  async respond(request: RequestEnvelope): Promise<void> {
    const handler = this.handlers.get(request.topic);
    if (!handler) {
      this.refuse(request, 'no-handler', new NoHandlerError(request.topic, this.link.address));
      return;
    }
    const context: ClusterMessageContext = {
      kind: 'request',
      topic: request.topic,
      from: request.from,
      id: request.id,
    };
    let value: unknown;
    try {
      const result = handler(request.payload, context);
      // A plain value is answered at once; only a Promise or an Observable is waited for.
      value = isObservable(result)
        ? await firstValueFrom(result)
        : isThenable(result)
          ? await result
          : result;
    } catch (error) {
      // The caller gets a RemoteError with this stack; the failure is logged here too, where it happened.
      const from = request.from === 'primary' ? 'the primary' : `worker ${request.from}`;
      this.logger.error(
        `The "${request.topic}" request handler threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (request from ${from})`,
        error instanceof Error ? error.stack : undefined,
      );
      this.refuse(request, 'handler-error', error);
      return;
    }
    this.reply(request, value);
  }

  /** Answers `request` with an `error-reply`. */
  refuse(request: RequestEnvelope, reason: FailureReason, error: unknown): void {
    const payload = failureOf(reason, error);
    const envelope = errorReplyEnvelope({ request, from: this.link.address, payload });
    this.link.post(envelope).catch(() => undefined); // the caller is gone: nobody to tell
  }

  private reply(request: RequestEnvelope, value: unknown): void {
    const envelope = replyEnvelope({ request, from: this.link.address, payload: value });
    this.link.post(envelope).catch((error: unknown) => {
      // The reply could not leave (too large, unserializable): tell the caller why instead.
      if (error instanceof ClusterError && !(error instanceof WorkerUnavailableError)) {
        this.refuse(request, 'handler-error', error);
      }
    });
  }
}
