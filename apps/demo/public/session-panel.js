// @ts-check
import { api, errorText, failureText, transport } from './api.js';
import { byId, formatClock, h, replaceChildren } from './dom.js';
import { authUserName, isRecord } from './guards.js';
import { workerBadge } from './worker-badge.js';

/** @typedef {import('./api.js').ApiReply} ApiReply */
/** @typedef {import('./guards.js').ServedBy} ServedBy */

/** Requests kept in the history. */
const HISTORY_SIZE = 10;

/**
 * The "My session" panel: who I am, the visits counter, login and logout, and which worker
 * served each request. The counter keeps counting and the user stays logged in whichever worker
 * answers, which is the point: the session lives in the shared store, not in a worker. Login,
 * logout and "who am I" go through the demo's Passport routes (`/api/auth/*`).
 */
export class SessionPanel {
  /** @type {string | null | undefined} */
  #user = undefined;
  /** @type {number | null} */
  #visits = null;
  /** @type {Map<number, { servedBy: ServedBy, count: number }>} */
  #workersSeen = new Map();
  #userText = byId('session-user', HTMLElement);
  #visitsText = byId('visit-count', HTMLElement);
  #lastServed = byId('last-served', HTMLElement);
  #seen = byId('workers-seen', HTMLElement);
  #history = byId('session-history', HTMLOListElement);
  #message = byId('session-message', HTMLElement);
  #visitButton = byId('visit-button', HTMLButtonElement);
  #logoutButton = byId('logout-button', HTMLButtonElement);
  #loginForm = byId('login-form', HTMLFormElement);
  #userInput = byId('user-input', HTMLInputElement);
  #passwordInput = byId('password-input', HTMLInputElement);

  /**
   * @param {{ onServed: (servedBy: ServedBy | null) => void, onUserChange: (user: string | null) => void }} options -
   *   `onUserChange`: after each login and logout, and when "who am I" finds another user than shown.
   */
  constructor(options) {
    this.onServed = options.onServed;
    this.onUserChange = options.onUserChange;
    this.#visitButton.addEventListener('click', () => void this.visit());
    this.#logoutButton.addEventListener('click', () => void this.logout());
    this.#loginForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.login(this.#userInput.value.trim(), this.#passwordInput.value);
    });
    const spread = byId('spread-toggle', HTMLInputElement);
    spread.checked = transport.newConnection;
    spread.addEventListener('change', () => (transport.newConnection = spread.checked));
    this.#render();
  }

  /** Reads the current user (`GET /api/auth/me`: 401 means nobody is logged in); nothing is written. */
  async load() {
    const before = this.#user;
    await this.#call(
      'GET /api/auth/me',
      () => api('/api/auth/me'),
      (body) => {
        this.#user = authUserName(body);
        return this.#user ? `user: ${this.#user}` : 'not logged in';
      },
      [401],
    );
    if (this.#user !== undefined && this.#user !== before) this.onUserChange(this.#user);
  }

  /** Counts a visit (`GET /api/visits`). */
  async visit() {
    await this.#call(
      'GET /api/visits',
      () => api('/api/visits'),
      (body) => {
        if (!isRecord(body) || typeof body.visits !== 'number') return 'unexpected answer';
        this.#visits = body.visits;
        return `visits: ${body.visits}`;
      },
    );
  }

  /**
   * Logs in with Passport (`POST /api/auth/login`): a new session id holding the login.
   *
   * @param {string} username
   * @param {string} password
   */
  async login(username, password) {
    if (!username) return;
    const ok = await this.#call(
      'POST /api/auth/login',
      () => api('/api/auth/login', { method: 'POST', body: { username, password } }),
      (body) => {
        this.#user = authUserName(body) ?? username;
        this.#visits = null; // a login starts a new session: the counter starts again
        this.#passwordInput.value = '';
        return `logged in as ${this.#user}`;
      },
    );
    // A login is a new session, even for the same user: its list of sessions changed.
    if (ok && this.#user) this.onUserChange(this.#user);
  }

  /** Logs out (`POST /api/auth/logout`, Passport's `req.logout()`): the session is regenerated. */
  async logout() {
    const ok = await this.#call(
      'POST /api/auth/logout',
      () => api('/api/auth/logout', { method: 'POST' }),
      () => {
        this.#user = null;
        this.#visits = null;
        return 'logged out';
      },
    );
    if (ok) this.onUserChange(null);
  }

  /**
   * Runs one request with the buttons disabled, records it in the history, and updates the panel.
   *
   * @param {string} action
   * @param {() => Promise<ApiReply>} send
   * @param {(body: unknown) => string} onSuccess - updates the state; returns the history text.
   * @param {number[]} [answers] - other statuses that are answers, not failures (401 of "who am I").
   * @returns {Promise<boolean>} whether it was answered (a 2xx status or one of `answers`).
   */
  async #call(action, send, onSuccess, answers = []) {
    this.#setBusy(true);
    try {
      const reply = await send();
      const ok = reply.ok || answers.includes(reply.status);
      const result = ok ? onSuccess(reply.ok ? reply.body : undefined) : failureText(reply);
      this.#message.textContent = ok ? '' : `${action} failed (${result}).`;
      this.#record(action, reply.servedBy, result, ok);
      return ok;
    } catch (error) {
      this.#message.textContent = `${action} failed (${errorText(error)}).`;
      this.#record(action, null, errorText(error), false);
      return false;
    } finally {
      this.#setBusy(false);
      this.#render();
    }
  }

  /**
   * @param {string} action
   * @param {ServedBy | null} servedBy
   * @param {string} result
   * @param {boolean} ok
   */
  #record(action, servedBy, result, ok) {
    if (servedBy) {
      const key = servedBy.workerId ?? 0;
      const seen = this.#workersSeen.get(key) ?? { servedBy, count: 0 };
      seen.count += 1;
      this.#workersSeen.set(key, seen);
    }
    this.onServed(servedBy);
    const now = Date.now();
    this.#history.prepend(
      h(
        'li',
        { className: ok ? '' : 'failed', dataset: { pid: String(servedBy?.pid ?? '') } },
        h('time', { attrs: { datetime: new Date(now).toISOString() } }, formatClock(now)),
        h('span', { className: 'mono action' }, action),
        servedBy ? workerBadge(servedBy, { withPid: true }) : h('span', { className: 'muted' }, 'no answer'),
        h('span', { className: 'result' }, result),
      ),
    );
    while (this.#history.children.length > HISTORY_SIZE) this.#history.lastElementChild?.remove();
    replaceChildren(
      this.#lastServed,
      servedBy ? workerBadge(servedBy, { withPid: true }) : h('span', { className: 'muted' }, 'no answer'),
    );
    this.#lastServed.dataset.pid = String(servedBy?.pid ?? '');
  }

  #render() {
    this.#userText.textContent =
      this.#user === undefined ? '…' : this.#user === null ? 'not logged in' : this.#user;
    this.#userText.classList.toggle('muted', !this.#user);
    this.#visitsText.textContent = this.#visits === null ? '—' : String(this.#visits);
    this.#logoutButton.disabled = !this.#user;
    const seen = [...this.#workersSeen.values()];
    if (seen.length === 0) {
      replaceChildren(this.#seen, h('span', { className: 'muted' }, 'none yet'));
      return;
    }
    replaceChildren(
      this.#seen,
      ...seen.map(({ servedBy, count }) =>
        h('span', { className: 'seen' }, workerBadge(servedBy), ` ×${count}`),
      ),
      seen.length > 1 ? h('span', { className: 'follows' }, `one session, ${seen.length} workers`) : null,
    );
  }

  /** @param {boolean} busy */
  #setBusy(busy) {
    this.#visitButton.disabled = busy;
    for (const element of this.#loginForm.elements) {
      if (element instanceof HTMLButtonElement || element instanceof HTMLInputElement)
        element.disabled = busy;
    }
    this.#logoutButton.disabled = busy || !this.#user;
  }
}
