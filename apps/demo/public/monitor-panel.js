// @ts-check
/**
 * The monitor panel, `pm2 monit`-style: per worker its RSS and heap, CPU %, event-loop lag p99 and
 * requests per second, with a plot of the last minute. Polls `GET /api/console/monitor` once per
 * sampling interval while the page is visible, asking only for samples it does not have yet.
 */
import { api, failureText, errorText } from './api.js';
import { byId, h, replaceChildren } from './dom.js';
import { isMonitorSnapshot } from './guards.js';
import { sparkline } from './sparkline.js';
import { workerBadge } from './worker-badge.js';

/** @typedef {import('./guards.js').ProcessSample} ProcessSample */
/** @typedef {import('./guards.js').MonitorSnapshot} MonitorSnapshot */

/** Samples kept (and plotted) per worker: one minute at 1 s. */
const HISTORY = 60;

/**
 * @param {number} bytes
 * @returns {string}
 */
function mebibytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export class MonitorPanel {
  /** @type {Map<number, { slot: number, pid: number, state: string, samples: ProcessSample[] }>} */
  #workers = new Map();
  #intervalMs = 1_000;
  /** @type {number} */
  #lastAt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer;
  #stopped = true;

  /** Starts polling. */
  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#poll();
  }

  /** Stops polling. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #poll() {
    if (this.#stopped) return;
    if (!document.hidden) {
      try {
        // Ask a little further back than the last snapshot: each worker samples at its own phase.
        const since = Math.max(0, this.#lastAt - 2 * this.#intervalMs);
        const reply = await api(`/api/console/monitor?since=${since}`);
        if (reply.ok && isMonitorSnapshot(reply.body)) {
          this.#merge(reply.body);
          byId('monitor-message', HTMLElement).textContent = '';
        } else {
          byId('monitor-message', HTMLElement).textContent = `Monitor: ${failureText(reply)}.`;
        }
      } catch (error) {
        byId('monitor-message', HTMLElement).textContent = `Monitor: ${errorText(error)}.`;
      }
      this.render();
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
  }

  /** @param {MonitorSnapshot} snapshot */
  #merge(snapshot) {
    this.#intervalMs = Math.max(250, snapshot.intervalMs);
    this.#lastAt = snapshot.at;
    /** @type {Map<number, { slot: number, pid: number, state: string, samples: ProcessSample[] }>} */
    const next = new Map();
    for (const worker of snapshot.workers) {
      const known = this.#workers.get(worker.id)?.samples ?? [];
      const last = known.at(-1)?.at ?? 0;
      const samples = [...known, ...worker.samples.filter((sample) => sample.at > last)].slice(-HISTORY);
      next.set(worker.id, { slot: worker.slot, pid: worker.pid, state: worker.state, samples });
    }
    this.#workers = next;
  }

  /** Redraws the table. */
  render() {
    const rows = [...this.#workers.entries()]
      .sort(([a, left], [b, right]) => left.slot - right.slot || a - b)
      .map(([id, worker]) => {
        const latest = worker.samples.at(-1);
        const cell = (/** @type {string} */ field, /** @type {string} */ text) =>
          h('td', { dataset: { field } }, latest ? text : '…');
        return h(
          'tr',
          {
            dataset: {
              workerId: String(id),
              pid: String(worker.pid),
              samples: String(worker.samples.length),
            },
          },
          h('td', {}, workerBadge({ pid: worker.pid, workerId: id }, { withPid: true })),
          cell('rss', latest ? mebibytes(latest.rssBytes) : ''),
          cell(
            'heap',
            latest ? `${mebibytes(latest.heapUsedBytes)} / ${mebibytes(latest.heapTotalBytes)}` : '',
          ),
          cell('cpu', latest ? `${latest.cpuPercent.toFixed(1)} %` : ''),
          cell('loop', latest ? `${latest.eventLoopLagP99Ms.toFixed(1)} ms` : ''),
          cell('rps', latest ? latest.requestsPerSecond.toFixed(1) : ''),
          h(
            'td',
            { className: 'plot', dataset: { field: 'plot' } },
            sparkline(
              [
                { name: 'cpu', values: worker.samples.map((s) => s.cpuPercent), floor: 100 },
                { name: 'rps', values: worker.samples.map((s) => s.requestsPerSecond), floor: 10 },
              ],
              {
                width: 180,
                height: 36,
                slots: HISTORY,
                label: `worker ${id}: CPU % and requests per second, last minute`,
              },
            ),
          ),
        );
      });
    replaceChildren(byId('monitor-body', HTMLElement), ...rows);
    byId('monitor-empty', HTMLElement).hidden = rows.length > 0;
  }
}
