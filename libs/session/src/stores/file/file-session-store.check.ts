import type { FileSessionStoreOptions } from './file-session-store.options.js';

/** Checks a `FileSessionStore`'s options at construction, naming the option at fault. */
export function checkFileStoreOptions(options: FileSessionStoreOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || !options.path) {
    throw new TypeError(
      'FileSessionStore option `path` must name the session file, e.g. "data/sessions.db".',
    );
  }
  const { durability, compactAfterBytes } = options;
  if (durability !== undefined && durability !== 'flush' && durability !== 'sync') {
    throw new TypeError(
      `FileSessionStore option \`durability\` must be 'flush' or 'sync', got ${String(durability)}.`,
    );
  }
  if (
    compactAfterBytes !== undefined &&
    (!Number.isSafeInteger(compactAfterBytes) || compactAfterBytes < 1)
  ) {
    throw new RangeError('FileSessionStore option `compactAfterBytes` must be a positive integer.');
  }
}
