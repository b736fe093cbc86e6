import { setTimeout as sleep } from 'node:timers/promises';
import {
  MemorySessionStore,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type StoredSessionRecord,
} from '@nest-hive/session';
import session from 'express-session';

/** A memory store whose every call takes `delayMs` longer, like a store across a network. */
export class DelayedSessionStore implements SessionStore {
  private readonly inner = new MemorySessionStore();
  constructor(private readonly delayMs: number) {}
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    await sleep(this.delayMs);
    return this.inner.get(id);
  }
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await sleep(this.delayMs);
    return this.inner.set(id, record, ttlMs);
  }
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    await sleep(this.delayMs);
    return this.inner.patch(id, patch, ttlMs);
  }
  async destroy(id: string): Promise<void> {
    await sleep(this.delayMs);
    return this.inner.destroy(id);
  }
  async touch(id: string, ttlMs: number): Promise<void> {
    await sleep(this.delayMs);
    return this.inner.touch(id, ttlMs);
  }
}

type Callback = (error?: unknown, value?: session.SessionData | null) => void;

/** express-session's MemoryStore with the same per-call delay. */
export class DelayedExpressMemoryStore extends session.MemoryStore {
  constructor(private readonly delayMs: number) {
    super();
  }
  override get(sid: string, callback: Callback): void {
    setTimeout(() => super.get(sid, callback), this.delayMs);
  }
  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    setTimeout(() => super.set(sid, data, callback), this.delayMs);
  }
  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    setTimeout(() => super.touch(sid, data, callback), this.delayMs);
  }
  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    setTimeout(() => super.destroy(sid, callback), this.delayMs);
  }
}
