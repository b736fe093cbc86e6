/**
 * What the `nest-hive` command line and a running primary say to each other over the primary's
 * control socket: one JSON request per line, one JSON reply per line.
 */
import { type WorkerState } from '../cluster.interfaces.js';

/** A command of the CLI. */
export type ControlRequest =
  | { readonly command: 'status' }
  | { readonly command: 'reload' }
  | { readonly command: 'scale'; readonly workers: number };

/** One worker as `nest-hive status` shows it. */
export interface WorkerStatus {
  readonly id: number;
  readonly slot: number;
  readonly pid: number;
  readonly state: WorkerState;
  /** Its RSS at its last heartbeat, bytes; `null` before the first (or with every restart rule off). */
  readonly rssBytes: number | null;
  /** When it was forked (epoch ms). */
  readonly startedAt: number;
  /** Workers forked into its slot before it (respawns, rolling restarts, recycles). */
  readonly restarts: number;
}

/** What `status` answers. */
export interface ClusterStatus {
  readonly primary: { readonly pid: number; readonly startedAt: number; readonly node: string };
  readonly desired: number;
  readonly workers: readonly WorkerStatus[];
  /** Workers forked into a slot that had one before, since start. */
  readonly restarts: number;
}

/** A reply: the status, done, or why not. */
export type ControlReply =
  { readonly ok: true; readonly status?: ClusterStatus } | { readonly ok: false; readonly error: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads one request line; anything else is `null`. */
export function parseControlRequest(line: string): ControlRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.command === 'status' || value.command === 'reload') return { command: value.command };
  if (value.command === 'scale' && typeof value.workers === 'number') {
    return { command: 'scale', workers: value.workers };
  }
  return null;
}

/** Runtime guard for a reply line (the CLI reads a primary of any version). */
export function isControlReply(value: unknown): value is ControlReply {
  if (!isRecord(value)) return false;
  if (value.ok === false) return typeof value.error === 'string';
  return value.ok === true && (value.status === undefined || isRecord(value.status));
}
