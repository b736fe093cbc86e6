// @ts-check
/**
 * DOM helpers. Text always goes in as text nodes (`textContent`, `append(string)`), never as
 * HTML, so nothing the server or a user sends is ever parsed as markup.
 */

/**
 * @typedef {object} ElementOptions
 * @property {string} [className] - the `class` attribute.
 * @property {Record<string, string>} [dataset] - `data-*` attributes.
 * @property {Record<string, string>} [attrs] - other attributes (never event handlers).
 */

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Creates an element with text or element children.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElementOptions} [options]
 * @param {...Child} children - strings and numbers become text nodes; `null`, `undefined` and `false` are skipped.
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, options = {}, ...children) {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.dataset) Object.assign(element.dataset, options.dataset);
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (name.toLowerCase().startsWith('on')) throw new Error(`h(): refusing event-handler attribute ${name}`);
    element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

/**
 * Appends children to a node.
 *
 * @param {Element} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replaces all children of a node.
 *
 * @param {Element} parent
 * @param {...Child} children
 */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * The element with this id, checked to be of the expected type.
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, name: string }} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or is not a ${type.name}`);
  return element;
}

const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/**
 * `HH:MM:SS` of an epoch time, in the browser's time zone.
 *
 * @param {number} epochMs
 * @returns {string}
 */
export function formatClock(epochMs) {
  return clockFormat.format(new Date(epochMs));
}

/**
 * A short duration: `4 s`, `2 min 05 s`, `1 h 02 min`.
 *
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Sets text only when it changed (keeps the DOM quiet for assistive technology).
 *
 * @param {HTMLElement} element
 * @param {string} text
 */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}
