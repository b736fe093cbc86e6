// @ts-check
import { api } from './api.js';
import { byId, formatClock, h, replaceChildren } from './dom.js';
import { isRecord } from './guards.js';
import { workerBadge } from './worker-badge.js';

/** Chat lines kept in the log. */
const LOG_SIZE = 50;
/** How often the sockets-per-worker figure is refreshed. */
const COUNT_INTERVAL_MS = 2_000;

/**
 * @typedef {object} ChatSocket - the part of a socket.io client socket the panel uses.
 * @property {boolean} connected
 * @property {(event: string, listener: (payload: unknown) => void) => void} on
 * @property {(event: string, payload: unknown) => void} emit
 * @property {{ engine?: { transport?: { name?: string } } }} io
 */

/**
 * @typedef {{ text: string, user: string | null, pid: number, workerId: number | null }} ChatLine
 * @typedef {{ workerId: number | null, pid: number, sockets: number }} WorkerSockets
 */

/**
 * @param {unknown} value
 * @returns {value is { user: string | null, pid: number, workerId: number | null }}
 */
function isWelcome(value) {
  return (
    isRecord(value) &&
    (typeof value.user === 'string' || value.user === null) &&
    typeof value.pid === 'number' &&
    (typeof value.workerId === 'number' || value.workerId === null)
  );
}

/**
 * @param {unknown} value
 * @returns {value is ChatLine}
 */
function isChatLine(value) {
  return isWelcome(value) && typeof Reflect.get(value, 'text') === 'string';
}

/**
 * @param {unknown} value
 * @returns {value is { workers: WorkerSockets[], total: number }}
 */
function isSocketTable(value) {
  return (
    isRecord(value) &&
    typeof value.total === 'number' &&
    Array.isArray(value.workers) &&
    value.workers.every((w) => isRecord(w) && typeof w.pid === 'number' && typeof w.sockets === 'number')
  );
}

/**
 * The socket.io client the page loaded from `/socket.io/socket.io.js` (the gateway serves it).
 *
 * @returns {((options: object) => ChatSocket) | undefined}
 */
function socketIoClient() {
  const io = /** @type {unknown} */ (Reflect.get(globalThis, 'io'));
  return typeof io === 'function' ? /** @type {(options: object) => ChatSocket} */ (io) : undefined;
}

/**
 * The Chat panel: a socket.io connection to the demo's gateway (long-polling, then the upgrade),
 * a box that sends `chat` lines to every socket on every worker, the live log naming the worker
 * that received each line, and how many sockets each worker holds (`GET /api/chat/sockets`).
 */
export class ChatPanel {
  #form = byId('chat-form', HTMLFormElement);
  #input = byId('chat-input', HTMLInputElement);
  #status = byId('chat-status', HTMLElement);
  #log = byId('chat-log', HTMLOListElement);
  #counts = byId('chat-sockets', HTMLElement);
  #message = byId('chat-message', HTMLElement);
  /** @type {ChatSocket | undefined} */
  #socket;

  /** Connects and starts refreshing the counts. */
  start() {
    const io = socketIoClient();
    if (!io) {
      this.#status.textContent = 'socket.io client not loaded';
      return;
    }
    const socket = io({});
    this.#socket = socket;
    socket.on('welcome', (payload) => {
      if (!isWelcome(payload)) return;
      replaceChildren(
        this.#status,
        'Connected to ',
        workerBadge(payload, { withPid: true }),
        ` as ${payload.user ?? 'anonymous'}`,
      );
      void this.refreshCounts();
    });
    socket.on('disconnect', () => {
      this.#status.textContent = 'Disconnected · reconnecting…';
    });
    socket.on('chat', (payload) => {
      if (isChatLine(payload)) this.#add(payload);
    });
    socket.on('error', (payload) => {
      this.#message.textContent =
        isRecord(payload) && typeof payload.message === 'string' ? payload.message : '';
    });
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#input.value.trim();
      if (!text || !this.#socket?.connected) return;
      this.#message.textContent = '';
      this.#socket.emit('chat', { text });
      this.#input.value = '';
    });
    setInterval(() => void this.refreshCounts(), COUNT_INTERVAL_MS);
  }

  /** Shows how many sockets each worker holds. */
  async refreshCounts() {
    try {
      const reply = await api('/api/chat/sockets');
      if (!reply.ok || !isSocketTable(reply.body)) return;
      const table = reply.body;
      replaceChildren(
        this.#counts,
        `${table.total} socket${table.total === 1 ? '' : 's'}: `,
        ...table.workers.flatMap((worker) => [workerBadge(worker), ` ${worker.sockets} `]),
      );
    } catch {
      // The next refresh tries again.
    }
  }

  /** @param {ChatLine} line */
  #add(line) {
    const item = h(
      'li',
      {},
      h('time', {}, formatClock(Date.now())),
      ' ',
      workerBadge(line),
      ' ',
      h('strong', {}, line.user ?? 'anonymous'),
      `: ${line.text}`,
    );
    this.#log.prepend(item);
    while (this.#log.children.length > LOG_SIZE) this.#log.lastElementChild?.remove();
  }
}
