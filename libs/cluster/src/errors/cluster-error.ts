/**
 * The base class of every error of `@nest-hive/cluster`, and how errors name a process.
 */
import { type Address } from '../cluster.interfaces.js';

/** How an error message names a process: `the primary` or `worker 3`. */
export function describeAddress(address: Address): string {
  return address === 'primary' ? 'the primary' : `worker ${address}`;
}

/** Base class of every error of this library; `instanceof ClusterError` catches them all. */
export class ClusterError extends Error {
  /** @param message - what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
