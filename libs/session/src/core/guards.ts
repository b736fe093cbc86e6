/**
 * Small runtime guards that compose: the validators of the cluster store's topics are built from
 * these instead of written out by hand. Each returns a type guard, so a value that passed one is
 * typed without a cast.
 */

/** A runtime check that narrows `unknown` to `T`. */
export type Guard<T> = (value: unknown) => value is T;

/** A plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string. */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A finite number. */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A finite number above zero. */
export function isPositiveNumber(value: unknown): value is number {
  return isFiniteNumber(value) && value > 0;
}

/** A boolean. */
export function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

/** `undefined`, or what `guard` accepts. */
export function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (value): value is T | undefined => value === undefined || guard(value);
}

/** `null`, or what `guard` accepts. */
export function nullable<T>(guard: Guard<T>): Guard<T | null> {
  return (value): value is T | null => value === null || guard(value);
}

/** An array whose every item `guard` accepts. */
export function arrayOf<T>(guard: Guard<T>): Guard<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every((item: unknown) => guard(item));
}

/** A plain object whose listed fields each pass their guard (other fields are allowed). */
export function shape<T extends object>(fields: { readonly [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  const entries: Array<[string, Guard<unknown>]> = Object.entries(fields);
  return (value): value is T => isPlainObject(value) && entries.every(([key, guard]) => guard(value[key]));
}
