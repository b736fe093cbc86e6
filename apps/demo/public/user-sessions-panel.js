// @ts-check
import { api, errorText, failureText } from './api.js';
import { byId, formatClock, h, replaceChildren } from './dom.js';
import { revokedCount, userSessionsOf } from './guards.js';

/** @typedef {import('./api.js').ApiReply} ApiReply */
/** @typedef {import('./guards.js').ServedBy} ServedBy */
/** @typedef {import('./guards.js').UserSessionView} UserSessionView */

/** Browsers as a `User-Agent` names them, most specific first (Edge's also says Chrome and Safari). */
const BROWSERS = /** @type {const} */ ([
  ['Edg/', 'Edge'],
  ['OPR/', 'Opera'],
  ['Firefox/', 'Firefox'],
  ['HeadlessChrome/', 'Headless Chrome'],
  ['Chrome/', 'Chrome'],
  ['Safari/', 'Safari'],
]);

/** Systems as a `User-Agent` names them, most specific first (Android's also says Linux). */
const SYSTEMS = /** @type {const} */ ([
  ['Android', 'Android'],
  ['iPhone', 'iPhone'],
  ['iPad', 'iPad'],
  ['CrOS', 'ChromeOS'],
  ['Mac OS X', 'macOS'],
  ['Windows', 'Windows'],
  ['Linux', 'Linux'],
]);

/**
 * The "Your sessions" panel: every device the logged-in user signed in with (`GET
 * /api/auth/sessions`), this one marked, a button to end each other one (`DELETE
 * /api/auth/sessions/:handle`) and "Sign out everywhere else" (`POST
 * /api/auth/sessions/revoke-others`). A session ended here ends in the shared store, so its
 * next request, on any worker, is logged out. It follows the "My session" panel: it loads after a
 * login and empties after a logout.
 */
export class UserSessionsPanel {
  /** Whether a user is logged in on this page, as far as the panel knows. */
  #loggedIn = false;
  /** @type {UserSessionView[] | null} the last list; `null` before it is loaded or when logged out. */
  #sessions = null;
  #busy = false;
  #list = byId('user-sessions-list', HTMLOListElement);
  #empty = byId('user-sessions-empty', HTMLElement);
  #actions = byId('user-sessions-actions', HTMLElement);
  #refreshButton = byId('user-sessions-refresh', HTMLButtonElement);
  #othersButton = byId('revoke-others-button', HTMLButtonElement);
  #message = byId('user-sessions-message', HTMLElement);

  /**
   * @param {{ onServed: (servedBy: ServedBy | null) => void, onLoggedOut: () => void }} options -
   *   `onLoggedOut`: the server answered 401, so this page's login ended elsewhere (revoked from
   *   another device, or capped by a newer login).
   */
  constructor(options) {
    this.onServed = options.onServed;
    this.onLoggedOut = options.onLoggedOut;
    this.#refreshButton.addEventListener('click', () => void this.refresh());
    this.#othersButton.addEventListener('click', () => void this.revokeOthers());
    this.#render();
  }

  /**
   * Follows a login or a logout: whose sessions to show, if anyone's.
   *
   * @param {string | null} user
   */
  async showUser(user) {
    this.#loggedIn = user !== null;
    this.#sessions = null;
    this.#say('');
    this.#render();
    await this.refresh();
  }

  /** Reloads the list (`GET /api/auth/sessions`); nothing when logged out. */
  async refresh() {
    if (!this.#loggedIn) return;
    const reply = await this.#send('GET /api/auth/sessions', () => api('/api/auth/sessions'));
    if (!reply) return;
    const sessions = reply.ok ? userSessionsOf(reply.body) : null;
    if (sessions) {
      this.#sessions = sessions;
      if (this.#message.dataset.tone === 'error') this.#say(''); // an earlier failure is over
    } else {
      this.#say(`GET /api/auth/sessions failed (${reply.ok ? 'unexpected answer' : failureText(reply)}).`);
    }
    this.#render();
  }

  /**
   * Ends one of the user's other sessions, then reloads the list.
   *
   * @param {string} handle
   */
  async revoke(handle) {
    const reply = await this.#send('DELETE /api/auth/sessions/:handle', () =>
      api(`/api/auth/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
    );
    if (!reply) return;
    if (reply.ok) this.#say('Signed that session out: its next request, on any worker, is logged out.', 'ok');
    else if (reply.status === 404) this.#say('That session had already ended.', 'ok');
    else this.#say(`Signing that session out failed (${failureText(reply)}).`);
    await this.refresh();
  }

  /** Ends every session of the user but this one, then reloads the list. */
  async revokeOthers() {
    const reply = await this.#send('POST /api/auth/sessions/revoke-others', () =>
      api('/api/auth/sessions/revoke-others', { method: 'POST' }),
    );
    if (!reply) return;
    const revoked = reply.ok ? revokedCount(reply.body) : null;
    if (revoked !== null) {
      this.#say(`Signed out ${revoked} other session${revoked === 1 ? '' : 's'}.`, 'ok');
    } else {
      this.#say(`Signing out elsewhere failed (${reply.ok ? 'unexpected answer' : failureText(reply)}).`);
    }
    await this.refresh();
  }

  /**
   * Runs one request with the buttons disabled. A 401 means this page's login is over: the panel
   * empties and tells the "My session" panel.
   *
   * @param {string} action
   * @param {() => Promise<ApiReply>} send
   * @returns {Promise<ApiReply | null>} the reply; `null` after a network error or a 401.
   */
  async #send(action, send) {
    this.#busy = true;
    this.#render();
    try {
      const reply = await send();
      this.onServed(reply.servedBy);
      if (reply.status !== 401) return reply;
      this.#loggedIn = false;
      this.#sessions = null;
      this.#say('This session is no longer logged in (ended from another device?).');
      this.onLoggedOut();
      return null;
    } catch (error) {
      this.#say(`${action} failed (${errorText(error)}).`);
      return null;
    } finally {
      this.#busy = false;
      this.#render();
    }
  }

  #render() {
    const sessions = this.#sessions;
    this.#empty.hidden = this.#loggedIn && sessions !== null;
    this.#empty.textContent = this.#loggedIn ? 'Loading your sessions…' : 'Log in to see your sessions.';
    this.#list.hidden = !this.#loggedIn;
    this.#actions.hidden = !this.#loggedIn;
    this.#refreshButton.hidden = !this.#loggedIn;
    this.#refreshButton.disabled = this.#busy;
    const others = sessions ? sessions.filter((session) => !session.current).length : 0;
    this.#othersButton.disabled = this.#busy || others === 0;
    replaceChildren(this.#list, ...(sessions ?? []).map((session) => this.#row(session)));
  }

  /**
   * @param {UserSessionView} session
   * @returns {HTMLLIElement}
   */
  #row(session) {
    const device = deviceName(session.userAgent);
    const signedIn = formatWhen(session.createdAt);
    /** @type {HTMLButtonElement | null} */
    let revoke = null;
    if (!session.current) {
      revoke = h(
        'button',
        {
          className: 'danger small',
          attrs: { type: 'button', 'aria-label': `Revoke the session of ${device}, signed in ${signedIn}` },
        },
        'Revoke',
      );
      revoke.disabled = this.#busy;
      revoke.addEventListener('click', () => void this.revoke(session.handle));
    }
    return h(
      'li',
      { className: session.current ? 'current' : '', dataset: { current: String(session.current) } },
      h(
        'p',
        { className: 'device' },
        h('span', { className: 'device-name' }, device),
        session.current ? h('span', { className: 'this-device' }, 'this device') : null,
      ),
      h('p', { className: 'mono user-agent' }, session.userAgent || 'no User-Agent header'),
      h(
        'p',
        { className: 'times' },
        'signed in ',
        timeElement(session.createdAt, signedIn),
        ' · last seen ',
        timeElement(session.lastSeenAt, formatWhen(session.lastSeenAt)),
      ),
      revoke,
    );
  }

  /**
   * Shows a notice under the list (an error unless `tone` is `ok`).
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
 * A short name for the device a `User-Agent` describes: `Chrome on Linux`, else the header cut short.
 *
 * @param {string} agent
 * @returns {string}
 */
export function deviceName(agent) {
  if (!agent) return 'Unknown client';
  const browser = BROWSERS.find(([token]) => agent.includes(token))?.[1];
  if (!browser) return agent.length > 40 ? `${agent.slice(0, 40)}…` : agent;
  const system = SYSTEMS.find(([token]) => agent.includes(token))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

/**
 * `HH:MM:SS` today, else the date and the time.
 *
 * @param {number} epochMs
 * @returns {string}
 */
function formatWhen(epochMs) {
  const date = new Date(epochMs);
  const today = new Date().toDateString() === date.toDateString();
  return today ? formatClock(epochMs) : `${date.toLocaleDateString()} ${formatClock(epochMs)}`;
}

/**
 * @param {number} epochMs
 * @param {string} text
 * @returns {HTMLTimeElement}
 */
function timeElement(epochMs, text) {
  return h('time', { attrs: { datetime: new Date(epochMs).toISOString() } }, text);
}
