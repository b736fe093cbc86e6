// @ts-check
import { api, errorText, failureText } from './api.js';
import { byId, formatClock, formatDuration, h, replaceChildren, setText } from './dom.js';
import { isWorkersSnapshot } from './guards.js';
import { ChaosControls } from './chaos-controls.js';
import { ScaleControls } from './scale-controls.js';
import { workerBadge } from './worker-badge.js';
import { WorkerTable } from './worker-table.js';

/** @typedef {import('./guards.js').LifecycleEvent} LifecycleEvent */
/** @typedef {import('./guards.js').ServedBy} ServedBy */
/** @typedef {import('./worker-table.js').WorkerRow} WorkerRow */

/** Lifecycle events listed under the table. */
const EVENT_LOG_SIZE = 12;

/** @type {Readonly<Record<LifecycleEvent['type'], string>>} */
const EVENT_TEXT = {
  fork: 'forked',
  online: 'online',
  listening: 'listening',
  ready: 'ready',
  disconnect: 'disconnected',
  exit: 'exited',
  'crash-loop': 'crash loop: slot given up',
  recycle: 'recycled',
};

/**
 * The Workers panel: the live table (slot, worker, pid, state, uptime, kill), fed by the
 * primary's snapshot and the lifecycle events, and a short log of those events.
 */
export class WorkersPanel {
  #table = new WorkerTable();
  /** @type {Map<number, HTMLTableRowElement>} */
  #rowElements = new Map();
  #primaryPid = 0;
  /** @type {ServedBy | null} */
  #streamVia = null;
  /** @type {ServedBy | null} */
  #lastServedBy = null;
  #tbody = byId('workers-body', HTMLTableSectionElement);
  #summary = byId('workers-summary', HTMLElement);
  #message = byId('workers-message', HTMLElement);
  #eventLog = byId('lifecycle-log', HTMLOListElement);
  #eventLogEmpty = byId('lifecycle-empty', HTMLElement);
  /** @type {ScaleControls} */
  #scale;

  /**
   * @param {{ allowKill: boolean, allowChaos: boolean, loopback: boolean, serverNow: () => number }} options
   */
  constructor(options) {
    this.allowKill = options.allowKill;
    this.loopback = options.loopback;
    this.serverNow = options.serverNow;
    byId('workers-actions-head', HTMLTableCellElement).hidden = !this.allowKill;
    // In one process (WORKERS=0) nothing can be killed and no lifecycle event ever comes.
    byId('kill-hint', HTMLElement).hidden = this.allowKill || this.loopback;
    byId('lifecycle', HTMLDetailsElement).hidden = this.loopback;
    this.#scale = new ScaleControls({
      enabled: this.allowKill && !this.loopback,
      say: (text, tone) => this.#say(text, tone),
    });
    new ChaosControls({ enabled: options.allowChaos, say: (text, tone) => this.#say(text, tone) });
  }

  /** Fetches the primary's table and merges it (at start and after every reconnect). */
  async refresh() {
    const requestedAt = Date.now();
    try {
      const reply = await api('/api/cluster/workers');
      if (!reply.ok || !isWorkersSnapshot(reply.body)) {
        this.#say(`Could not load the worker table (${failureText(reply)}).`);
        return;
      }
      this.#primaryPid = reply.body.primary.pid;
      this.#table.applySnapshot(reply.body.workers, requestedAt, this.serverNow());
      this.#scale.show(reply.body.desired);
      if (this.#message.dataset.tone === 'error') this.#say(''); // an earlier load failure is over
      this.render();
    } catch (error) {
      this.#say(`Could not load the worker table (${errorText(error)}).`);
    }
  }

  /**
   * Applies a lifecycle event from the stream.
   *
   * @param {LifecycleEvent} event
   */
  applyEvent(event) {
    this.#table.applyEvent(event);
    this.#logEvent(event);
    this.render();
  }

  /**
   * Marks the worker serving the event stream.
   *
   * @param {ServedBy | null} via
   */
  setStreamWorker(via) {
    this.#streamVia = via;
    this.render();
  }

  /**
   * Marks the worker that served the page's last request.
   *
   * @param {ServedBy | null} servedBy
   */
  setLastServedBy(servedBy) {
    this.#lastServedBy = servedBy;
    this.render();
  }

  /** @returns {number} workers that are forked or ready. */
  liveCount() {
    return this.#table.live().length;
  }

  /** Redraws the table; also called every second for the uptimes. */
  render() {
    const now = this.serverNow();
    this.#table.prune(now);
    const rows = this.#table.rows();
    const keep = new Set(rows.map((row) => row.id));
    for (const [id, element] of this.#rowElements) {
      if (!keep.has(id)) {
        element.remove();
        this.#rowElements.delete(id);
      }
    }
    rows.forEach((row, index) => {
      let element = this.#rowElements.get(row.id);
      if (!element) {
        element = this.#createRow(row);
        this.#rowElements.set(row.id, element);
      }
      this.#updateRow(element, row, now);
      if (this.#tbody.children[index] !== element)
        this.#tbody.insertBefore(element, this.#tbody.children[index] ?? null);
    });
    const ready = rows.filter((row) => row.state === 'ready').length;
    const primary = this.#primaryPid ? `Primary pid ${this.#primaryPid} · ` : '';
    this.#summary.textContent = `${primary}${ready} worker${ready === 1 ? '' : 's'} ready`;
  }

  /**
   * @param {WorkerRow} row
   * @returns {HTMLTableRowElement}
   */
  #createRow(row) {
    const cells = {
      slot: h('td', { className: 'num' }),
      worker: h('td'),
      pid: h('td', { className: 'num mono' }),
      state: h('td'),
      uptime: h('td', { className: 'num' }),
      actions: h('td', { className: 'actions' }),
    };
    cells.actions.hidden = !this.allowKill;
    if (this.allowKill) {
      const button = h(
        'button',
        {
          className: 'danger small',
          attrs: { type: 'button', 'aria-label': `Kill worker ${row.id} (pid ${row.pid})` },
        },
        'Kill',
      );
      button.addEventListener('click', () => void this.#kill(row.id, button));
      cells.actions.append(button);
    }
    return h(
      'tr',
      { dataset: { workerId: String(row.id) } },
      cells.slot,
      cells.worker,
      cells.pid,
      cells.state,
      cells.uptime,
      cells.actions,
    );
  }

  /**
   * @param {HTMLTableRowElement} element
   * @param {WorkerRow} row
   * @param {number} now
   */
  #updateRow(element, row, now) {
    const [slot, worker, pid, state, uptime, actions] = element.cells;
    if (!slot || !worker || !pid || !state || !uptime || !actions) return;
    element.dataset.slot = String(row.slot);
    element.dataset.pid = String(row.pid);
    element.dataset.state = row.state;
    element.classList.toggle('gone', row.state === 'exited' || row.state === 'crash-loop');
    setText(slot, String(row.slot));
    setText(pid, String(row.pid));
    const markers = [];
    if (this.#streamVia?.pid === row.pid) markers.push(h('span', { className: 'marker' }, 'event stream'));
    if (this.#lastServedBy?.pid === row.pid)
      markers.push(h('span', { className: 'marker' }, 'your last request'));
    const workerKey = `${row.id}|${markers.map((m) => m.textContent).join(',')}`;
    if (worker.dataset.key !== workerKey) {
      worker.dataset.key = workerKey;
      // In one process the worker is the primary itself, which answers as `main` (no worker id).
      const who = { pid: row.pid, workerId: this.loopback ? null : row.id };
      replaceChildren(worker, workerBadge(who), ...markers);
    }
    const stateText = row.note ? `${row.state} (${row.note})` : row.state;
    if (state.dataset.key !== stateText) {
      state.dataset.key = stateText;
      replaceChildren(state, h('span', { className: `state state-${row.state}` }, stateText));
    }
    const alive = row.state !== 'exited' && row.state !== 'crash-loop';
    setText(uptime, alive ? formatDuration(now - row.startedAt) : '—');
    const button = actions.querySelector('button');
    if (button) button.hidden = !alive;
  }

  /**
   * Asks the demo to SIGKILL a worker; the table then shows it exit and its replacement arrive.
   *
   * @param {number} id
   * @param {HTMLButtonElement} button
   */
  async #kill(id, button) {
    button.disabled = true;
    button.textContent = 'Killing…';
    try {
      const reply = await api(`/api/console/workers/${id}/kill`, { method: 'POST' });
      if (reply.ok) {
        this.#say(`SIGKILL sent to worker ${id}: watch the supervisor fork its replacement.`, 'ok');
      } else {
        await this.refresh(); // the table may be out of date (the worker already gone)
        this.#say(`Could not kill worker ${id} (${failureText(reply)}).`);
      }
    } catch (error) {
      // The worker that answered may be the one that was killed: the table tells what happened.
      this.#say(`Kill of worker ${id} sent, but its answer was lost (${errorText(error)}).`, 'ok');
    } finally {
      button.disabled = false;
      button.textContent = 'Kill';
    }
  }

  /** @param {LifecycleEvent} event */
  #logEvent(event) {
    const detail =
      event.type === 'exit' ? exitDetail(event) : event.type === 'recycle' ? recycleDetail(event) : '';
    const item = h(
      'li',
      { dataset: { type: event.type } },
      h('time', { attrs: { datetime: new Date(event.at).toISOString() } }, formatClock(event.at)),
      ' ',
      workerBadge({ pid: event.pid, workerId: event.workerId }),
      ` slot ${event.slot} · pid ${event.pid} · `,
      h('strong', {}, EVENT_TEXT[event.type]),
      detail,
    );
    this.#eventLog.prepend(item);
    this.#eventLogEmpty.hidden = true;
    while (this.#eventLog.children.length > EVENT_LOG_SIZE) this.#eventLog.lastElementChild?.remove();
  }

  /**
   * Shows a notice under the table (an error unless `tone` is `ok`).
   *
   * @param {string} text
   * @param {'ok' | 'error'} [tone]
   */
  #say(text, tone = 'error') {
    this.#message.textContent = text;
    this.#message.dataset.tone = tone;
  }
}

/**
 * @param {LifecycleEvent} event
 * @returns {string}
 */
function exitDetail(event) {
  const how = event.signal ? ` by ${event.signal}` : ` with code ${event.code ?? '?'}`;
  return `${how}${event.reason ? ` (${event.reason})` : ''}`;
}

/**
 * @param {LifecycleEvent} event
 * @returns {string} ` (memory: RSS 612 MiB above …)`, the rule and what broke it.
 */
function recycleDetail(event) {
  const rule = typeof event.reason === 'string' ? event.reason : 'rule';
  return typeof event.detail === 'string' ? ` (${rule}: ${event.detail})` : ` (${rule})`;
}
