// @ts-check
/**
 * The page's model of the worker table: the primary's snapshot plus the lifecycle events, merged
 * so that order does not matter. A worker id is never reused, and a worker only moves forward
 * (forked → ready → exiting → exited), so a late snapshot can never bring back a worker an event
 * already reported gone.
 */

/** @typedef {import('./guards.js').WorkerView} WorkerView */
/** @typedef {import('./guards.js').LifecycleEvent} LifecycleEvent */
/** @typedef {'forked' | 'ready' | 'exiting' | 'exited' | 'crash-loop'} RowState */

/**
 * @typedef {object} WorkerRow
 * @property {number} id
 * @property {number} slot
 * @property {number} pid
 * @property {RowState} state
 * @property {number} startedAt - fork time (server clock, epoch ms).
 * @property {number | null} readyAt
 * @property {number | null} endedAt - when it exited (server clock), if it did.
 * @property {string} note - how it ended, e.g. `SIGKILL`.
 * @property {number} firstSeen - when the page first heard of it (page clock).
 */

/** @type {Readonly<Record<RowState, number>>} */
const RANK = { forked: 0, ready: 1, exiting: 2, exited: 3, 'crash-loop': 4 };

/** @type {Readonly<Record<import('./guards.js').TableState, RowState>>} */
const FROM_TABLE = { starting: 'forked', ready: 'ready', stopping: 'exiting' };

/** How long an exited worker stays in the table, greyed out. */
export const KEEP_EXITED_MS = 10_000;

export class WorkerTable {
  /** @type {Map<number, WorkerRow>} */
  #rows = new Map();

  /**
   * Merges the primary's table. Rows the page knew before `requestedAt` (page clock) and that
   * the snapshot no longer lists have exited while the page was not listening.
   *
   * @param {readonly WorkerView[]} workers
   * @param {number} requestedAt - page clock when the snapshot was asked for.
   * @param {number} serverNow - server clock now.
   */
  applySnapshot(workers, requestedAt, serverNow) {
    const listed = new Set(workers.map((worker) => worker.id));
    for (const worker of workers) {
      this.#upsert(worker.id, FROM_TABLE[worker.state], {
        slot: worker.slot,
        pid: worker.pid,
        startedAt: worker.startedAt,
        readyAt: worker.readyAt,
      });
    }
    for (const row of this.#rows.values()) {
      if (!listed.has(row.id) && row.firstSeen < requestedAt && RANK[row.state] < RANK.exited) {
        row.state = 'exited';
        row.endedAt = serverNow;
        row.note = 'gone';
      }
    }
  }

  /**
   * Applies one lifecycle event.
   *
   * @param {LifecycleEvent} event
   */
  applyEvent(event) {
    const base = { slot: event.slot, pid: event.pid };
    switch (event.type) {
      case 'fork':
        this.#upsert(event.workerId, 'forked', { ...base, startedAt: event.at });
        break;
      case 'online':
      case 'listening':
        this.#upsert(event.workerId, 'forked', base);
        break;
      case 'ready':
        this.#upsert(event.workerId, 'ready', { ...base, readyAt: event.at });
        break;
      case 'disconnect':
        this.#upsert(event.workerId, 'exiting', base);
        break;
      case 'exit':
        this.#upsert(event.workerId, 'exited', { ...base, endedAt: event.at, note: exitNote(event) });
        break;
      case 'crash-loop':
        this.#upsert(event.workerId, 'crash-loop', { ...base, endedAt: event.at, note: 'slot given up' });
        break;
    }
  }

  /**
   * Drops exited rows older than {@link KEEP_EXITED_MS}; crash-loop rows stay.
   *
   * @param {number} serverNow
   * @returns {boolean} whether anything was dropped.
   */
  prune(serverNow) {
    let dropped = false;
    for (const row of this.#rows.values()) {
      if (row.state === 'exited' && row.endedAt !== null && serverNow - row.endedAt > KEEP_EXITED_MS) {
        this.#rows.delete(row.id);
        dropped = true;
      }
    }
    return dropped;
  }

  /** @returns {WorkerRow[]} rows by slot, then worker id. */
  rows() {
    return [...this.#rows.values()].sort((a, b) => a.slot - b.slot || a.id - b.id);
  }

  /** @returns {WorkerRow[]} workers that are neither exiting nor gone. */
  live() {
    return this.rows().filter((row) => row.state === 'forked' || row.state === 'ready');
  }

  /**
   * @param {number} id
   * @param {RowState} state
   * @param {Partial<Omit<WorkerRow, 'id' | 'state' | 'firstSeen'>>} fields
   */
  #upsert(id, state, fields) {
    let row = this.#rows.get(id);
    if (!row) {
      row = {
        id,
        slot: fields.slot ?? 0,
        pid: fields.pid ?? 0,
        state,
        startedAt: fields.startedAt ?? Date.now(),
        readyAt: null,
        endedAt: null,
        note: '',
        firstSeen: Date.now(),
      };
      this.#rows.set(id, row);
    }
    if (RANK[state] >= RANK[row.state]) row.state = state;
    if (fields.slot !== undefined) row.slot = fields.slot;
    if (fields.pid !== undefined) row.pid = fields.pid;
    if (fields.startedAt !== undefined) row.startedAt = fields.startedAt;
    if (fields.readyAt !== undefined && fields.readyAt !== null) row.readyAt = fields.readyAt;
    if (fields.endedAt !== undefined) row.endedAt = row.endedAt ?? fields.endedAt;
    if (fields.note) row.note = fields.note;
  }
}

/**
 * `SIGKILL`, `code 1`…, with the supervisor's reading of the exit.
 *
 * @param {LifecycleEvent} event
 * @returns {string}
 */
function exitNote(event) {
  const how = event.signal ? event.signal : `code ${event.code ?? '?'}`;
  return event.reason && event.reason !== 'crashed' ? `${how}, ${event.reason}` : how;
}
