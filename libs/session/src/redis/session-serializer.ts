/**
 * Turns one session value into text for a store and back. The Redis store
 * applies it to each data key separately.
 */
export interface SessionSerializer {
  /** Serializes one value. */
  stringify(value: unknown): string;
  /** Parses what {@link stringify} produced. */
  parse(text: string): unknown;
}

/** The default serializer: JSON. */
export const jsonSessionSerializer: SessionSerializer = {
  stringify: (value) => JSON.stringify(value),
  parse: (text) => JSON.parse(text) as unknown,
};
