import { describe, expect, it } from '@jest/globals';
import { SessionState } from './session-state.js';

describe('SessionState', () => {
  it('starts new, with no data, no times, idle and owing nothing', () => {
    const state = new SessionState();
    expect([state.id, state.isNew, state.createdAt, state.expiresAt]).toEqual(['', true, 0, 0]);
    expect([state.commitPhase, state.cookieOwed, state.handedOut]).toEqual(['idle', 'none', false]);
    expect(Object.keys(state.data)).toEqual([]);
  });

  it('adopts a stored record: its id, times, cookie lifetime and data (API names left out)', () => {
    const state = new SessionState();
    state.adoptRecord('abc', {
      data: { user: 'ada', cart: [1], save: 'x' },
      createdAt: 10,
      expiresAt: 20,
      cookie: { maxAge: 5 },
    });
    expect([state.id, state.isNew, state.createdAt, state.expiresAt, state.storedMaxAge]).toEqual([
      'abc',
      false,
      10,
      20,
      5,
    ]);
    expect({ ...state.data }).toEqual({ user: 'ada', cart: [1] });
    expect([...state.snapshot]).toEqual([
      ['user', '"ada"'],
      ['cart', '[1]'],
    ]);
  });

  it('becomes a new session under another id, keeping the data', () => {
    const state = new SessionState();
    state.adoptRecord('abc', { data: { n: 1 }, createdAt: 10, expiresAt: 20, cookie: { maxAge: 5 } });
    state.becomeNew('def');
    expect([state.id, state.isNew, state.createdAt, state.expiresAt, state.storedMaxAge]).toEqual([
      'def',
      true,
      0,
      0,
      undefined,
    ]);
    expect(state.snapshot.size).toBe(0);
    expect({ ...state.data }).toEqual({ n: 1 });
  });

  it('replaces the data object (keeping its keys or not) and clears it in place', () => {
    const state = new SessionState();
    const first = state.data;
    first.n = 1;
    const kept = state.replaceData(true);
    expect(kept).not.toBe(first);
    expect({ ...kept }).toEqual({ n: 1 });
    state.clearData();
    expect(Object.keys(kept)).toEqual([]);
    expect(Object.keys(state.replaceData(false))).toEqual([]);
  });

  it('notes a cookie lifetime change until the next save, and puts it in the record', () => {
    const state = new SessionState();
    state.createdAt = 7;
    expect(state.record({ n: 1 })).toEqual({ data: { n: 1 }, createdAt: 7 });
    state.changeMaxAge(null);
    expect(state.maxAgeChanged).toBe(true);
    expect(state.record({})).toEqual({ data: {}, createdAt: 7, cookie: { maxAge: null } });
    const entries = new Map([['n', '1']]);
    state.saved(entries);
    expect([state.maxAgeChanged, state.snapshot]).toEqual([false, entries]);
  });
});
