/** Public surface of the keyring (see keyring.ts for the API overview). */
export { Keyring, type KeyringOptions, type KeyringState, type ImportOutcome } from './keyring.ts';
export { MemoryStore, type KeyValueStore } from './store.ts';
export { shouldAutoLock, nextAutoLockCheck } from './auto-lock.ts';
export type { KeyringError, BackupError, Result } from './errors.ts';
export type { Contact, Settings, KeyHistoryEntry } from './schema.ts';
export { DEFAULT_SETTINGS, CURRENT_SCHEMA } from './schema.ts';
export type { ObserveStatus, SendPermission, UserOrigin } from './contacts.ts';
export { fingerprintOf } from './contacts.ts';
export type { ConversationRef, SessionRef } from './sessions.ts';
export type { CacheEntry, CacheInput, CachedMessage, Direction } from './plaintext-cache.ts';
export type { BackupPreview } from './backup.ts';
export { DEFAULT_SCRYPT, type ScryptParams } from './vault.ts';
