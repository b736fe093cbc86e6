import { SessionError } from '../../session.errors.js';

/** Why a session file cannot be used. */
export type SessionFileProblem =
  'locked' | 'corrupt' | 'newer-format' | 'foreign' | 'unwritable' | 'write-failed' | 'closed';

/**
 * A session file of `FileSessionStore` cannot be opened or written. At start-up it stops the app
 * (under `bootstrapCluster`, the worker's start) with the file, the problem and the fix; at run
 * time a failed write fails the requests that waited for it (503) and is retried.
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (error) {
 *   if (error instanceof SessionFileError && error.problem === 'corrupt') console.error(error.message);
 * }
 * ```
 */
export class SessionFileError extends SessionError {
  override readonly name = 'SessionFileError';
  constructor(
    /** The file at fault. */
    readonly path: string,
    /** What is wrong with it. */
    readonly problem: SessionFileProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`Session file ${path}: ${message}`, options);
  }
}
