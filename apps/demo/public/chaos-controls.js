// @ts-check
import { api, errorText, failureText } from './api.js';
import { byId } from './dom.js';
import { isServedBy } from './guards.js';

/** MiB one click of "Leak" makes a worker hold. */
const LEAK_MB = 64;
/** How long one click of "Block" blocks a worker's event loop, ms. */
const BLOCK_MS = 5_000;

/**
 * The Workers panel's chaos buttons (`DEMO_ALLOW_CHAOS=1`): make the worker that answers hold more
 * memory, or block its event loop, to watch a restart rule (`WORKER_MAX_MEMORY_MB`,
 * `WORKER_HANG_TIMEOUT_MS`) replace it in the table and the event log.
 */
export class ChaosControls {
  #leak = byId('chaos-leak', HTMLButtonElement);
  #block = byId('chaos-block', HTMLButtonElement);

  /**
   * @param {{ enabled: boolean, say: (text: string, tone?: 'ok' | 'error') => void }} options
   */
  constructor(options) {
    this.say = options.say;
    byId('chaos-controls', HTMLElement).hidden = !options.enabled;
    this.#leak.addEventListener('click', () => void this.#hit('leak', { mb: LEAK_MB }, this.#leak));
    this.#block.addEventListener('click', () => void this.#hit('block', { ms: BLOCK_MS }, this.#block));
  }

  /**
   * @param {'leak' | 'block'} fault
   * @param {Record<string, number>} body
   * @param {HTMLButtonElement} button
   */
  async #hit(fault, body, button) {
    button.disabled = true;
    try {
      const reply = await api(`/api/chaos/${fault}`, { method: 'POST', body });
      if (reply.ok && isServedBy(reply.body)) {
        const who = `worker ${reply.body.workerId ?? '—'} (pid ${reply.body.pid})`;
        this.say(
          fault === 'leak'
            ? `${who} now holds ${LEAK_MB} MiB more: past WORKER_MAX_MEMORY_MB it is recycled.`
            : `${who} blocks its event loop for ${BLOCK_MS / 1000} s: past WORKER_HANG_TIMEOUT_MS it is replaced.`,
          'ok',
        );
      } else {
        this.say(`The ${fault} request failed (${failureText(reply)}).`);
      }
    } catch (error) {
      this.say(`The ${fault} request failed (${errorText(error)}).`);
    } finally {
      button.disabled = false;
    }
  }
}
