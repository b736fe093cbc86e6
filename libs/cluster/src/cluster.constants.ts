/**
 * Constants shared by every part of `@nest-hive/cluster`.
 *
 * @packageDocumentation
 */

/** Namespace carried by every IPC envelope this library sends (`envelope.ns`). */
export const ENVELOPE_NAMESPACE = 'nest-hive';

/** Version of the IPC envelope format (`envelope.v`). */
export const ENVELOPE_VERSION = 1;

/** Address of the primary process in `send`, `request` and `to` fields. */
export const PRIMARY_ADDRESS = 'primary';

/** Worker id given to the in-process worker when `workers: 0` (or outside `bootstrapCluster`). */
export const LOOPBACK_WORKER_ID = 0;

/** Prefix of the topics this library reserves for itself. */
export const RESERVED_TOPIC_PREFIX = 'nest-hive:';

/**
 * During a graceful shutdown, a keep-alive connection idle at least this long
 * is closed at once; one that answered a request more recently is closed when
 * it reaches this idle time (its next request, if any, is answered with
 * `Connection: close`).
 */
export const SHUTDOWN_IDLE_GRACE_MS = 200;

/**
 * How long a stopped worker keeps its IPC channel open before it exits, so
 * that connections the primary was handing it at that moment are declined
 * (and served by another worker) rather than left hanging.
 */
export const WORKER_EXIT_LINGER_MS = 200;

/** Built-in primary topic answering the worker table. */
export const WORKERS_TOPIC = 'nest-hive:workers';

/** Topic name carried by control envelopes (ready, shutdown, lifecycle). */
export const CONTROL_TOPIC = 'nest-hive:control';

/** Default `request()` timeout in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/** Reflect-metadata key under which the handler decorators store their registrations. */
export const CLUSTER_HANDLERS_METADATA = 'nest-hive:cluster-handlers';
