// @ts-check
import { api, errorText, failureText } from './api.js';
import { byId, formatClock, h, replaceChildren } from './dom.js';
import { isRecord } from './guards.js';
import { workerBadge } from './worker-badge.js';

/** @typedef {import('./guards.js').Broadcast} Broadcast */
/** @typedef {import('./guards.js').Receipt} Receipt */
/** @typedef {import('./guards.js').ServedBy} ServedBy */

/** Broadcasts kept in the log. */
const LOG_SIZE = 50;

/**
 * @typedef {object} LogEntry
 * @property {string} id
 * @property {string | null} message - `null` until the broadcast itself arrives.
 * @property {ServedBy | null} from
 * @property {number} at
 * @property {boolean} mine - sent from this page.
 * @property {Map<number, Receipt>} receipts - by pid.
 * @property {HTMLLIElement} element
 */

/**
 * The Broadcast panel: a box that sends a broadcast to every worker, and a live log of the
 * broadcasts with the workers that reported receiving each (their receipts).
 */
export class BroadcastPanel {
  /** @type {Map<string, LogEntry>} */
  #entries = new Map();
  #form = byId('broadcast-form', HTMLFormElement);
  #input = byId('broadcast-input', HTMLInputElement);
  #send = byId('broadcast-send', HTMLButtonElement);
  #log = byId('broadcast-log', HTMLOListElement);
  #message = byId('broadcast-message', HTMLElement);
  #empty = byId('broadcast-empty', HTMLElement);

  /**
   * @param {{ liveWorkers: () => number, onServed: (servedBy: ServedBy | null) => void }} options
   */
  constructor(options) {
    this.liveWorkers = options.liveWorkers;
    this.onServed = options.onServed;
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send(this.#input.value.trim());
    });
  }

  /**
   * Sends a broadcast (`POST /api/cluster/broadcast`).
   *
   * @param {string} message
   */
  async send(message) {
    if (!message) return;
    this.#send.disabled = true;
    try {
      const reply = await api('/api/cluster/broadcast', { method: 'POST', body: { message } });
      this.onServed(reply.servedBy);
      if (!reply.ok || !isRecord(reply.body) || typeof reply.body.id !== 'string') {
        this.#message.textContent = `The broadcast was not sent (${failureText(reply)}).`;
        return;
      }
      this.#message.textContent = '';
      this.#input.value = '';
      const entry = this.#entry(reply.body.id, Date.now());
      entry.mine = true;
      entry.message ??= message;
      entry.from ??= reply.servedBy;
      this.#render(entry);
    } catch (error) {
      this.#message.textContent = `The broadcast was not sent (${errorText(error)}).`;
    } finally {
      this.#send.disabled = false;
    }
  }

  /**
   * A broadcast arrived on the stream.
   *
   * @param {Broadcast} broadcast
   */
  onBroadcast(broadcast) {
    const entry = this.#entry(broadcast.id, broadcast.at);
    entry.message = broadcast.message;
    entry.from = broadcast.from;
    entry.at = broadcast.at;
    this.#render(entry);
  }

  /**
   * A worker reported receiving a broadcast.
   *
   * @param {Receipt} receipt
   */
  onReceipt(receipt) {
    const entry = this.#entry(receipt.id, receipt.at);
    entry.receipts.set(receipt.pid, receipt);
    this.#render(entry);
  }

  /** Redraws the receipt counts (the number of live workers changed). */
  refreshCounts() {
    for (const entry of this.#entries.values()) this.#render(entry);
  }

  /**
   * The log entry of a broadcast id, created (at the top) if new.
   *
   * @param {string} id
   * @param {number} at
   * @returns {LogEntry}
   */
  #entry(id, at) {
    let entry = this.#entries.get(id);
    if (entry) return entry;
    entry = {
      id,
      message: null,
      from: null,
      at,
      mine: false,
      receipts: new Map(),
      element: h('li', { className: 'broadcast', dataset: { broadcastId: id } }),
    };
    this.#entries.set(id, entry);
    this.#log.prepend(entry.element);
    this.#empty.hidden = true;
    while (this.#entries.size > LOG_SIZE) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.get(oldest)?.element.remove();
      this.#entries.delete(oldest);
    }
    return entry;
  }

  /** @param {LogEntry} entry */
  #render(entry) {
    const receipts = [...entry.receipts.values()].sort((a, b) => (a.workerId ?? 0) - (b.workerId ?? 0));
    const live = this.liveWorkers();
    replaceChildren(
      entry.element,
      h('p', { className: 'broadcast-text' }, entry.message ?? '(message not seen by this page)'),
      h(
        'p',
        { className: 'broadcast-meta' },
        h('time', { attrs: { datetime: new Date(entry.at).toISOString() } }, formatClock(entry.at)),
        entry.from ? ' · sent through ' : null,
        entry.from ? workerBadge(entry.from) : null,
        entry.mine ? h('span', { className: 'marker' }, 'from this page') : null,
      ),
      h(
        'p',
        { className: 'receipts' },
        h('span', { className: 'receipts-label' }, 'Received by'),
        ...receipts.map((receipt) => workerBadge({ pid: receipt.pid, workerId: receipt.workerId })),
        receipts.length === 0 ? h('span', { className: 'muted' }, 'no worker yet') : null,
        h(
          'span',
          { className: 'receipts-count', dataset: { count: String(receipts.length) } },
          live > 0 ? `${receipts.length} of ${live} live workers` : `${receipts.length}`,
        ),
      ),
    );
  }
}
