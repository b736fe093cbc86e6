// @ts-check
/**
 * A small SVG line plot of the last minute (no library): one polyline per series, each scaled to
 * its own maximum, so their shapes can be compared at a glance.
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @typedef {object} Series
 * @property {string} name - `data-series` of its polyline (and its CSS colour).
 * @property {number[]} values - oldest first.
 * @property {number} [floor] - the scale's smallest maximum (e.g. 100 for a percentage).
 */

/**
 * @param {string} tag
 * @param {Record<string, string>} attrs
 * @returns {SVGElement}
 */
function svg(tag, attrs) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

/**
 * A `width` × `height` plot of `slots` points per series, the newest at the right edge.
 *
 * @param {Series[]} series
 * @param {{ width: number, height: number, slots: number, label: string }} size
 * @returns {SVGElement}
 */
export function sparkline(series, size) {
  const { width, height, slots, label } = size;
  const root = svg('svg', {
    class: 'sparkline',
    viewBox: `0 0 ${width} ${height}`,
    width: String(width),
    height: String(height),
    role: 'img',
    'aria-label': label,
  });
  root.append(
    svg('line', {
      class: 'sparkline-base',
      x1: '0',
      y1: String(height - 0.5),
      x2: String(width),
      y2: String(height - 0.5),
    }),
  );
  const step = width / Math.max(slots - 1, 1);
  for (const { name, values, floor = 0 } of series) {
    const shown = values.slice(-slots);
    const max = Math.max(floor, ...shown, 1e-9);
    const offset = slots - shown.length;
    const points = shown
      .map((value, index) => {
        const x = (offset + index) * step;
        const y = height - 1 - (Math.max(0, value) / max) * (height - 2);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
    root.append(svg('polyline', { class: `sparkline-line series-${name}`, 'data-series': name, points }));
  }
  return root;
}
