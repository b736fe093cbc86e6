import { defineTopic } from '../messaging/topic.js';

/** Who leads, as the primary tells it: the worker, its process, and the machine it runs on. */
export interface LeaderInfo {
  /** The leading worker's id (`cluster.worker.id`) on its machine. */
  readonly workerId: number;
  /** Its process id. */
  readonly pid: number;
  /** The machine's host name (`os.hostname()`). */
  readonly hostname: string;
  /** The fencing token of its leadership: higher for every new leader of the cluster (or fleet). */
  readonly fencingToken: number;
}

/** Primary → the leading worker: it leads until `until` (epoch ms), unless granted again. */
export interface LeaderGrant {
  /** The fencing token of this leadership. */
  readonly fencingToken: number;
  /** When the leadership ends unless renewed (epoch ms, this machine's clock). */
  readonly until: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Runtime guard for a {@link LeaderInfo}. */
export function isLeaderInfo(value: unknown): value is LeaderInfo {
  return (
    isRecord(value) &&
    isCount(value.workerId) &&
    isCount(value.pid) &&
    typeof value.hostname === 'string' &&
    isCount(value.fencingToken)
  );
}

/** Worker → primary: this worker takes part in the election (its `ClusterLeaderModule` started). */
export const LEADER_JOIN = defineTopic<null, { joined: true }>('nest-hive:leader:join');

/** Primary → worker: a grant or renewal of leadership. */
export const LEADER_GRANT = defineTopic<LeaderGrant>('nest-hive:leader:grant', {
  validate: (value): value is LeaderGrant =>
    isRecord(value) && isCount(value.fencingToken) && isCount(value.until),
});

/** Primary → worker: stop leading now; answered once its leadership ended. */
export const LEADER_REVOKE = defineTopic<null, { stopped: true }>('nest-hive:leader:revoke');

/** Worker → primary: who leads the cluster (or fleet) now, or `null` for nobody. */
export const LEADER_WHO = defineTopic<null, LeaderInfo | null>('nest-hive:leader:who', {
  validateReply: (value): value is LeaderInfo | null => value === null || isLeaderInfo(value),
});
