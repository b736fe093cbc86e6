/** Deepest nesting the bound walks before it gives up (and the caller serializes exactly). */
const MAX_DEPTH = 32;

/**
 * An upper bound on the UTF-8 size of `JSON.stringify(value)`, computed
 * without serializing, or `Infinity` once it passes `budget` (or meets
 * anything it cannot bound cheaply: a `toJSON`, a BigInt, deep nesting).
 *
 * Each UTF-16 unit of a string is counted as 6 bytes, the most any unit can
 * take (`\u0000`-style escapes), so the bound never falls below the real
 * size. It lets small messages skip a second serialization just to be
 * measured; only messages near the limit are serialized to be measured.
 */
export function jsonSizeBound(value: unknown, budget: number): number {
  const total = bound(value, budget, 0);
  return total > budget ? Number.POSITIVE_INFINITY : total;
}

function bound(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + value.length * 6;
    case 'number':
      // The longest a number prints: a sign, "0.00000" and 17 significant digits (-0.0000010001334241151421).
      return 25;
    case 'boolean':
      return 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return 4;
    case 'bigint':
      return Number.POSITIVE_INFINITY;
    case 'object':
      break;
  }
  if (value === null) return 4;
  if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return Number.POSITIVE_INFINITY;
  }
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      total += bound(item, budget, depth + 1) + 1;
      if (total > budget) return Number.POSITIVE_INFINITY;
    }
    return total;
  }
  const record = value as Record<string, unknown>;
  // Inherited enumerable keys are counted too: the bound only grows, so it stays a bound.
  for (const key in record) {
    total += 3 + key.length * 6 + bound(record[key], budget, depth + 1);
    if (total > budget) return Number.POSITIVE_INFINITY;
  }
  return total;
}
