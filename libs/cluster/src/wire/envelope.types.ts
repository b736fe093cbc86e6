/**
 * The IPC envelope types: every message this library puts on a cluster IPC channel is one of
 * these. Parsing lives in `envelope.parse.ts`, building in `envelope.build.ts`.
 */
import { type ENVELOPE_NAMESPACE, type ENVELOPE_VERSION } from '../cluster.constants.js';
import { type Address, type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent } from './cluster-event.js';

/** The fields every envelope carries. */
export interface EnvelopeBase {
  /** Our namespace: anything else on the channel is not ours. */
  readonly ns: typeof ENVELOPE_NAMESPACE;
  /** Wire format version. */
  readonly v: typeof ENVELOPE_VERSION;
  /** Correlation id, unique per sending process. */
  readonly id: string;
  /** Topic name (control envelopes use the control topic). */
  readonly topic: string;
  /** The sender. */
  readonly from: Address;
}

/** `send()`: one-way to one address. `receipt` asks the primary to confirm delivery to another worker. */
export interface MessageEnvelope extends EnvelopeBase {
  readonly kind: 'message';
  readonly to: Address;
  readonly payload: unknown;
  readonly receipt: boolean;
}

/** `broadcast()` over IPC: fanned out by the primary to the workers. */
export interface BroadcastEnvelope extends EnvelopeBase {
  readonly kind: 'broadcast';
  readonly to: '*';
  readonly payload: unknown;
  readonly includeSelf: boolean;
  /** Unique id of the sending endpoint, so it can recognise its own broadcasts. */
  readonly origin: string;
  /**
   * The primary's copy for IPC-transport workers of a broadcast it also sent through its own
   * transport (e.g. Redis): see `BroadcastRouter` for who takes it.
   */
  readonly viaTransport: boolean;
}

/** `request()`: expects a `reply` or `error-reply` with the same id. */
export interface RequestEnvelope extends EnvelopeBase {
  readonly kind: 'request';
  readonly to: Address;
  readonly payload: unknown;
  /** The caller's timeout, so a forwarding primary can forget the request in time. */
  readonly timeoutMs: number;
}

/** A successful answer to a request (or a delivery receipt). */
export interface ReplyEnvelope extends EnvelopeBase {
  readonly kind: 'reply';
  readonly to: Address;
  readonly payload: unknown;
}

/** Why a request (or a receipted message) failed remotely. */
export type FailureReason = 'handler-error' | 'no-handler' | 'invalid-payload' | 'unavailable' | 'exited';

/** The payload of an `error-reply`. */
export interface RemoteFailure {
  readonly reason: FailureReason;
  readonly name: string;
  readonly message: string;
  /** The remote error's stack, for handler errors. */
  readonly stack?: string;
}

/** A failed answer to a request (or a failed delivery receipt). */
export interface ErrorReplyEnvelope extends EnvelopeBase {
  readonly kind: 'error-reply';
  readonly to: Address;
  readonly payload: RemoteFailure;
}

/** Control, worker → primary: the worker() factory resolved. */
export interface ReadyEnvelope extends EnvelopeBase {
  readonly kind: 'ready';
  readonly to: 'primary';
  readonly payload: null;
}

/** What a worker reports about its failed start. */
export interface StartFailure {
  readonly name: string;
  readonly message: string;
  /** The system error's code (`EADDRINUSE`), when the failure carried one. */
  readonly code?: string;
  /** The system call that failed (`bind`, `listen`), when the failure named one. */
  readonly syscall?: string;
  /** The port a failed `listen()` asked for, when the error named one. */
  readonly port?: number;
}

/** Control, worker → primary: the worker() factory failed; the worker exits next. */
export interface StartFailedEnvelope extends EnvelopeBase {
  readonly kind: 'start-failed';
  readonly to: 'primary';
  readonly payload: StartFailure;
}

/** How a worker is asked to stop: the whole cluster stops, or it is replaced in a rolling restart. */
export type StopMode = 'shutdown' | 'restart';

/** Control, primary → worker: stop gracefully. */
export interface ShutdownEnvelope extends EnvelopeBase {
  readonly kind: 'shutdown';
  readonly to: number;
  readonly payload: { readonly mode: StopMode };
}

/** Control, primary → worker: a lifecycle event and the worker table after it. */
export interface LifecycleEnvelope extends EnvelopeBase {
  readonly kind: 'lifecycle';
  readonly to: number;
  readonly payload: { readonly event: ClusterEvent; readonly workers: readonly WorkerInfo[] };
}

/** Control, primary → worker: the heartbeat; the worker answers with a `pong` from its event loop. */
export interface PingEnvelope extends EnvelopeBase {
  readonly kind: 'ping';
  readonly to: number;
  readonly payload: null;
}

/** Control, worker → primary: the answer to a `ping`, with the worker's resident set size. */
export interface PongEnvelope extends EnvelopeBase {
  readonly kind: 'pong';
  readonly to: 'primary';
  readonly payload: { readonly rssBytes: number };
}

/** Envelopes that carry application data between endpoints. */
export type DataEnvelope =
  MessageEnvelope | BroadcastEnvelope | RequestEnvelope | ReplyEnvelope | ErrorReplyEnvelope;

/** Envelopes between the bootstrap runtimes of primary and worker. */
export type ControlEnvelope =
  ReadyEnvelope | StartFailedEnvelope | ShutdownEnvelope | LifecycleEnvelope | PingEnvelope | PongEnvelope;

/** Every envelope of this library, discriminated by `kind`. */
export type ClusterEnvelope = DataEnvelope | ControlEnvelope;

/** The envelope of one `kind`. */
export type EnvelopeOfKind<K extends ClusterEnvelope['kind']> = Extract<ClusterEnvelope, { kind: K }>;

/** Result of reading an unknown IPC message. */
export type ParsedMessage =
  | { readonly status: 'ok'; readonly envelope: ClusterEnvelope }
  | { readonly status: 'foreign' }
  | { readonly status: 'malformed'; readonly reason: string };

/** Several envelopes written together in one IPC message (see `IpcChannel`). */
export interface BatchEnvelope {
  readonly ns: typeof ENVELOPE_NAMESPACE;
  readonly v: typeof ENVELOPE_VERSION;
  readonly kind: 'batch';
  readonly items: readonly object[];
}
