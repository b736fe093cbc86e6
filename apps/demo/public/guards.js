// @ts-check
/**
 * Shapes of what the server sends, with runtime guards: the page checks every JSON body and
 * event before using it, and ignores what does not fit.
 */

/** @typedef {{ pid: number, workerId: number | null }} ServedBy */
/** @typedef {'starting' | 'ready' | 'stopping'} TableState */
/** @typedef {{ id: number, slot: number, pid: number, state: TableState, startedAt: number, readyAt: number | null }} WorkerView */
/** @typedef {{ primary: { pid: number }, desired?: number, workers: WorkerView[] }} WorkersSnapshot */
/**
 * @typedef {object} LifecycleEvent
 * @property {'fork' | 'online' | 'listening' | 'ready' | 'disconnect' | 'exit' | 'crash-loop' | 'recycle'} type
 * @property {number} workerId
 * @property {number} slot
 * @property {number} pid
 * @property {number} at
 * @property {number | null} [code] - `exit` only.
 * @property {string | null} [signal] - `exit` only.
 * @property {string} [reason] - `exit`: stopped, crashed, ready-timeout, shutdown-timeout, hang;
 *   `recycle`: the restart rule (memory, hang, max-age).
 * @property {string} [detail] - `recycle` only: what broke the rule.
 */
/** @typedef {{ id: string, message: string, from: ServedBy, at: number }} Broadcast */
/** @typedef {{ id: string, workerId: number | null, pid: number, at: number }} Receipt */
/** @typedef {{ allowKill: boolean, allowChaos?: boolean, mode: 'cluster' | 'loopback', serverTime: number }} ConsoleConfig */
/**
 * @typedef {object} ProcessSample
 * @property {number} at - end of the sampled second (epoch ms).
 * @property {number} rssBytes
 * @property {number} heapUsedBytes
 * @property {number} heapTotalBytes
 * @property {number} cpuPercent - of one core.
 * @property {number} eventLoopLagP99Ms
 * @property {number} requestsPerSecond
 */
/** @typedef {{ id: number, slot: number, pid: number, state: string, samples: ProcessSample[] }} MonitoredWorker */
/** @typedef {{ at: number, intervalMs: number, workers: MonitoredWorker[] }} MonitorSnapshot */
/**
 * One of the logged-in user's sessions (`GET /api/auth/sessions`).
 *
 * @typedef {object} UserSessionView
 * @property {string} handle - opaque name, to revoke it (never the session id).
 * @property {boolean} current - the session of this page.
 * @property {number} createdAt - login time (epoch ms).
 * @property {number} lastSeenAt - last renewal (epoch ms).
 * @property {string} userAgent - of the login request, `''` when none.
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @returns {value is number}
 */
const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/**
 * @param {unknown} value
 * @returns {value is number | null}
 */
const isNumberOrNull = (value) => value === null || isNumber(value);

/** @type {ReadonlySet<unknown>} */
const TABLE_STATES = new Set(['starting', 'ready', 'stopping']);
/** @type {ReadonlySet<unknown>} */
const EVENT_TYPES = new Set([
  'fork',
  'online',
  'listening',
  'ready',
  'disconnect',
  'exit',
  'crash-loop',
  'recycle',
]);

/**
 * @param {unknown} value
 * @returns {value is ServedBy}
 */
export function isServedBy(value) {
  return isRecord(value) && isNumber(value.pid) && isNumberOrNull(value.workerId);
}

/**
 * @param {unknown} value
 * @returns {value is WorkerView}
 */
export function isWorkerView(value) {
  return (
    isRecord(value) &&
    isNumber(value.id) &&
    isNumber(value.slot) &&
    isNumber(value.pid) &&
    TABLE_STATES.has(value.state) &&
    isNumber(value.startedAt) &&
    isNumberOrNull(value.readyAt)
  );
}

/**
 * @param {unknown} value
 * @returns {value is WorkersSnapshot}
 */
export function isWorkersSnapshot(value) {
  return (
    isRecord(value) &&
    isRecord(value.primary) &&
    isNumber(value.primary.pid) &&
    (value.desired === undefined || isNumber(value.desired)) &&
    Array.isArray(value.workers) &&
    value.workers.every(isWorkerView)
  );
}

/**
 * @param {unknown} value
 * @returns {value is LifecycleEvent}
 */
export function isLifecycleEvent(value) {
  return (
    isRecord(value) &&
    EVENT_TYPES.has(value.type) &&
    isNumber(value.workerId) &&
    isNumber(value.slot) &&
    isNumber(value.pid) &&
    isNumber(value.at)
  );
}

/**
 * @param {unknown} value
 * @returns {value is Broadcast}
 */
export function isBroadcast(value) {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.message === 'string' &&
    isServedBy(value.from) &&
    isNumber(value.at)
  );
}

/**
 * @param {unknown} value
 * @returns {value is Receipt}
 */
export function isReceipt(value) {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    isNumberOrNull(value.workerId) &&
    isNumber(value.pid) &&
    isNumber(value.at)
  );
}

/**
 * @param {unknown} value
 * @returns {value is ConsoleConfig}
 */
export function isConsoleConfig(value) {
  return (
    isRecord(value) &&
    typeof value.allowKill === 'boolean' &&
    (value.allowChaos === undefined || typeof value.allowChaos === 'boolean') &&
    (value.mode === 'cluster' || value.mode === 'loopback') &&
    isNumber(value.serverTime)
  );
}

/**
 * The user name in a reply of the Passport routes (`{ user: { username } }`), else `null`.
 *
 * @param {unknown} value
 * @returns {string | null}
 */
export function authUserName(value) {
  return isRecord(value) && isRecord(value.user) && typeof value.user.username === 'string'
    ? value.user.username
    : null;
}

/**
 * @param {unknown} value
 * @returns {value is UserSessionView}
 */
export function isUserSessionView(value) {
  return (
    isRecord(value) &&
    typeof value.handle === 'string' &&
    typeof value.current === 'boolean' &&
    isNumber(value.createdAt) &&
    isNumber(value.lastSeenAt) &&
    typeof value.userAgent === 'string'
  );
}

/**
 * The sessions in a `GET /api/auth/sessions` reply (`{ sessions: [...] }`), else `null`.
 *
 * @param {unknown} value
 * @returns {UserSessionView[] | null}
 */
export function userSessionsOf(value) {
  return isRecord(value) && Array.isArray(value.sessions) && value.sessions.every(isUserSessionView)
    ? value.sessions
    : null;
}

/**
 * The count in a `POST /api/auth/sessions/revoke-others` reply (`{ revoked }`), else `null`.
 *
 * @param {unknown} value
 * @returns {number | null}
 */
export function revokedCount(value) {
  return isRecord(value) && isNumber(value.revoked) ? value.revoked : null;
}

/** @type {ReadonlyArray<keyof ProcessSample>} */
const SAMPLE_FIELDS = [
  'at',
  'rssBytes',
  'heapUsedBytes',
  'heapTotalBytes',
  'cpuPercent',
  'eventLoopLagP99Ms',
  'requestsPerSecond',
];

/**
 * @param {unknown} value
 * @returns {value is ProcessSample}
 */
export function isProcessSample(value) {
  return isRecord(value) && SAMPLE_FIELDS.every((field) => isNumber(value[field]));
}

/**
 * @param {unknown} value
 * @returns {value is MonitorSnapshot}
 */
export function isMonitorSnapshot(value) {
  return (
    isRecord(value) &&
    isNumber(value.at) &&
    isNumber(value.intervalMs) &&
    Array.isArray(value.workers) &&
    value.workers.every(
      (worker) =>
        isRecord(worker) &&
        isNumber(worker.id) &&
        isNumber(worker.slot) &&
        isNumber(worker.pid) &&
        typeof worker.state === 'string' &&
        Array.isArray(worker.samples) &&
        worker.samples.every(isProcessSample),
    )
  );
}
