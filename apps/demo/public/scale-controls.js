// @ts-check
import { api, errorText, failureText } from './api.js';
import { byId, setText } from './dom.js';

/** The most workers the console may ask for (the demo's scale route takes 1 to 8). */
const MAX_WORKERS = 8;

/**
 * The Workers panel's scale buttons: one worker less or more, through `POST /api/console/scale`.
 * Shown only when the console's controls are on (`DEMO_ALLOW_KILL=1`) and workers are forked.
 */
export class ScaleControls {
  #root = byId('scale-controls', HTMLElement);
  #desired = byId('scale-desired', HTMLElement);
  #down = byId('scale-down', HTMLButtonElement);
  #up = byId('scale-up', HTMLButtonElement);
  /** @type {number | null} */
  #wanted = null;
  #busy = false;

  /**
   * @param {{ enabled: boolean, say: (text: string, tone?: 'ok' | 'error') => void }} options
   */
  constructor(options) {
    this.say = options.say;
    this.#root.hidden = !options.enabled;
    this.#down.addEventListener('click', () => void this.#scaleBy(-1));
    this.#up.addEventListener('click', () => void this.#scaleBy(1));
    this.#render();
  }

  /**
   * The count the primary wants, from its worker table.
   *
   * @param {number | undefined} desired
   */
  show(desired) {
    if (typeof desired === 'number') this.#wanted = desired;
    this.#render();
  }

  #render() {
    setText(this.#desired, this.#wanted === null ? '—' : String(this.#wanted));
    this.#down.disabled = this.#busy || this.#wanted === null || this.#wanted <= 1;
    this.#up.disabled = this.#busy || this.#wanted === null || this.#wanted >= MAX_WORKERS;
  }

  /** @param {1 | -1} step */
  async #scaleBy(step) {
    if (this.#wanted === null) return;
    const workers = this.#wanted + step;
    this.#busy = true;
    this.#render();
    try {
      const reply = await api('/api/console/scale', { method: 'POST', body: { workers } });
      if (reply.ok) {
        this.#wanted = workers;
        this.say(
          step > 0
            ? `Scaling to ${workers} workers: watch the new one start in its own slot.`
            : `Scaling to ${workers} workers: the highest slot drains its requests, then stops.`,
          'ok',
        );
      } else {
        this.say(`Could not scale to ${workers} workers (${failureText(reply)}).`);
      }
    } catch (error) {
      this.say(`Could not scale to ${workers} workers (${errorText(error)}).`);
    } finally {
      this.#busy = false;
      this.#render();
    }
  }
}
