// @ts-check
/**
 * The nest-hive cluster console. Plain ES modules, no build step: this file wires the panels to
 * the demo's routes and to its event stream (`/api/cluster/events`).
 */
import { api, errorText, failureText } from './api.js';
import { BroadcastPanel } from './broadcast-panel.js';
import { ChatPanel } from './chat-panel.js';
import { byId, replaceChildren } from './dom.js';
import { ClusterStream } from './event-stream.js';
import { isBroadcast, isConsoleConfig, isLifecycleEvent, isReceipt } from './guards.js';
import { MonitorPanel } from './monitor-panel.js';
import { SessionPanel } from './session-panel.js';
import { UserSessionsPanel } from './user-sessions-panel.js';
import { workerBadge } from './worker-badge.js';
import { WorkersPanel } from './workers-panel.js';

/** @typedef {import('./guards.js').ConsoleConfig} ConsoleConfig */
/** @typedef {import('./event-stream.js').StreamStatus} StreamStatus */

/** @returns {Promise<ConsoleConfig>} the console's settings, or safe defaults. */
async function loadConfig() {
  const fallback = { allowKill: false, mode: /** @type {const} */ ('cluster'), serverTime: Date.now() };
  try {
    const reply = await api('/api/console/config');
    if (reply.ok && isConsoleConfig(reply.body)) return reply.body;
    byId('workers-message', HTMLElement).textContent =
      `Could not load the console settings (${failureText(reply)}).`;
  } catch (error) {
    byId('workers-message', HTMLElement).textContent =
      `Could not load the console settings (${errorText(error)}).`;
  }
  return fallback;
}

/**
 * Shows the stream's state in the header.
 *
 * @param {StreamStatus} status
 */
function showStreamStatus(status) {
  const element = byId('stream-status', HTMLElement);
  element.dataset.state = status.state;
  if (status.state === 'live') {
    replaceChildren(
      element,
      'Live',
      status.via ? ' · events via ' : null,
      status.via ? workerBadge(status.via) : null,
    );
  } else if (status.state === 'reconnecting') {
    replaceChildren(element, `Stream lost · reconnecting in ${(status.retryInMs / 1000).toFixed(1)} s`);
  } else {
    replaceChildren(element, 'Connecting…');
  }
}

async function main() {
  const config = await loadConfig();
  const clockOffset = config.serverTime - Date.now();
  const serverNow = () => Date.now() + clockOffset;
  byId('mode-note', HTMLElement).hidden = config.mode !== 'loopback';

  const workers = new WorkersPanel({
    allowKill: config.allowKill,
    allowChaos: config.allowChaos === true,
    loopback: config.mode === 'loopback',
    serverNow,
  });
  const userSessions = new UserSessionsPanel({
    onServed: (servedBy) => workers.setLastServedBy(servedBy),
    // This page's login ended elsewhere: "who am I" again, which empties both panels.
    onLoggedOut: () => void session.load(),
  });
  const session = new SessionPanel({
    onServed: (servedBy) => workers.setLastServedBy(servedBy),
    onUserChange: (user) => void userSessions.showUser(user),
  });
  const broadcasts = new BroadcastPanel({
    liveWorkers: () => workers.liveCount(),
    onServed: (servedBy) => workers.setLastServedBy(servedBy),
  });

  const stream = new ClusterStream('/api/cluster/events', ['lifecycle', 'broadcast', 'receipt'], {
    onStatus: (status) => {
      showStreamStatus(status);
      workers.setStreamWorker(status.state === 'live' ? status.via : null);
    },
    // Opened or reopened: lifecycle events may have been missed meanwhile, so merge the table again.
    onOpen: () => void workers.refresh().then(() => broadcasts.refreshCounts()),
    onEvent: (type, data) => {
      if (type === 'lifecycle' && isLifecycleEvent(data)) {
        workers.applyEvent(data);
        broadcasts.refreshCounts();
      } else if (type === 'broadcast' && isBroadcast(data)) {
        broadcasts.onBroadcast(data);
      } else if (type === 'receipt' && isReceipt(data)) {
        broadcasts.onReceipt(data);
      }
    },
  });
  stream.start();
  new ChatPanel().start();
  window.addEventListener('pagehide', () => stream.stop());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) stream.start(); // back from the back-forward cache
  });
  setInterval(() => workers.render(), 1_000);
  const monitor = new MonitorPanel();
  monitor.start();

  await Promise.all([workers.refresh(), session.load()]);
  document.body.dataset.ready = 'true';
}

void main();
