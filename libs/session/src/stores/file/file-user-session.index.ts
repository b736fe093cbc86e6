import type { MemoryUserSessionIndex } from '../../users/memory-user-session.index.js';
import type { UserSessionEntry, UserSessionIndex } from '../../users/user-session-index.interface.js';
import type { SessionJournal } from './session-journal.js';

/**
 * The per-user index of a `FileSessionStore`: held in memory beside the sessions (an entry goes
 * with its session), every change written to the same file and acknowledged once durable.
 */
export class FileUserSessionIndex implements UserSessionIndex {
  private journal: SessionJournal | undefined;

  /**
   * @param index - the entries, in memory.
   * @param open - opens the store's file (on first use) and gives its journal.
   */
  constructor(
    private readonly index: MemoryUserSessionIndex,
    private readonly open: () => SessionJournal,
  ) {}

  /** Binds the journal once the store opened its file. */
  attach(journal: SessionJournal): void {
    this.journal = journal;
  }

  /** @inheritdoc */
  async add(user: string, entry: UserSessionEntry): Promise<void> {
    const journal = this.opened();
    this.index.addNow(user, entry);
    journal.append({ kind: 'index-add', user, entry });
    await journal.durable();
  }

  /** @inheritdoc */
  async list(user: string): Promise<UserSessionEntry[]> {
    this.opened();
    return this.index.listNow(user);
  }

  /** @inheritdoc */
  async remove(user: string, handles: readonly string[]): Promise<void> {
    const journal = this.opened();
    this.index.removeNow(user, handles);
    journal.append({ kind: 'index-remove', user, handles: [...handles] });
    await journal.durable();
  }

  /** @inheritdoc */
  async seen(user: string, handle: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    const journal = this.opened();
    this.index.seenNow(user, handle, lastSeenAt, expiresAt);
    journal.append({ kind: 'index-seen', user, handle, lastSeenAt, expiresAt });
    await journal.durable();
  }

  private opened(): SessionJournal {
    return this.journal ?? this.open();
  }
}
