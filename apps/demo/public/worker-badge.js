// @ts-check
import { h } from './dom.js';

/** Number of badge colours in console.css (`.hue-0` … `.hue-7`). */
const HUES = 8;

/**
 * A coloured chip naming a worker (`W3`), the same colour everywhere on the page, so the eye can
 * follow one worker across the table, the session history and the broadcast receipts.
 *
 * @param {{ pid: number, workerId: number | null }} who
 * @param {{ withPid?: boolean }} [options]
 * @returns {HTMLSpanElement}
 */
export function workerBadge(who, options = {}) {
  const label = who.workerId === null ? 'main' : `W${who.workerId}`;
  const hue = who.workerId === null ? 'hue-none' : `hue-${who.workerId % HUES}`;
  return h(
    'span',
    {
      className: `badge ${hue}`,
      dataset: { workerId: String(who.workerId ?? ''), pid: String(who.pid) },
      attrs: {
        title: `${who.workerId === null ? 'single process' : `worker ${who.workerId}`}, pid ${who.pid}`,
      },
    },
    label,
    options.withPid ? h('span', { className: 'badge-pid' }, `pid ${who.pid}`) : null,
  );
}
