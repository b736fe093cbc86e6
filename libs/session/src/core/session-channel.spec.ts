import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { CommitParticipant } from './response-commit-gate.js';
import { HTTP_CHANNEL } from './session-channel.js';

/** A participant that records the gate's calls and owes nothing. */
class RecordingParticipant implements CommitParticipant {
  readonly calls: string[] = [];
  beforeHeaders(): undefined {
    this.calls.push('beforeHeaders');
    return undefined;
  }
  headIsCommitted(): boolean {
    return false;
  }
  beforeEnd(): undefined {
    this.calls.push('beforeEnd');
    return undefined;
  }
  commitFailed(): void {
    this.calls.push('commitFailed');
  }
}

describe('HTTP_CHANNEL', () => {
  it('creates sessions and lets them regenerate', () => {
    expect(HTTP_CHANNEL.createsSessions).toBe(true);
    expect(() => HTTP_CHANNEL.checkRegenerate()).not.toThrow();
  });

  it('holds the response for the commit: the participant runs before the head goes out', () => {
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    const participant = new RecordingParticipant();
    HTTP_CHANNEL.holdResponse(res, participant);
    res.writeHead(200);
    expect(participant.calls).toEqual(['beforeHeaders']);
  });
});
