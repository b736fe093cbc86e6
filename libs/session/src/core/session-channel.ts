import type { ServerResponse } from 'node:http';
import { ResponseCommitGate, type CommitParticipant } from './response-commit-gate.js';

/**
 * How a session reaches its client, and so what it may do: one shared object
 * per kind, chosen when the session is made (see `RequestSession` and
 * `loadHandshakeSession`).
 */
export interface SessionChannel {
  /** Whether a new session may be saved: only when its cookie can reach the client. */
  readonly createsSessions: boolean;
  /** Holds `res` for the commit, from the first possible change on. */
  holdResponse(res: ServerResponse, participant: CommitParticipant): void;
  /**
   * Refuses `regenerate()` where it cannot work.
   *
   * @throws HandshakeSessionError for a session no response can carry a new cookie for.
   */
  checkRegenerate(): void;
}

/** An HTTP request's session: its response carries the cookie, and is held until the commit is done. */
export const HTTP_CHANNEL: SessionChannel = {
  createsSessions: true,
  holdResponse(res: ServerResponse, participant: CommitParticipant): void {
    new ResponseCommitGate(res, participant);
  },
  checkRegenerate(): void {},
};
