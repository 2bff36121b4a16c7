/**
 * The keyring's errors. Nothing in lib/keyring throws across its public API: every failure is a
 * value the background can branch on and show to the user.
 */
import { err, type Result as BaseResult } from '../result.ts';

export type KeyringError =
  | { code: 'locked' }
  | { code: 'not-initialized' }
  | { code: 'already-initialized' }
  | { code: 'wrong-passphrase' }
  /** A stored record has the wrong shape, fails to authenticate, or is truncated. Nothing was deleted. */
  | { code: 'corrupt'; record: string; detail: string }
  /** Storage written by a newer Veil (or garbage claiming to be). Nothing was touched. */
  | { code: 'unsupported-version'; found: number; supported: number }
  | { code: 'invalid-argument'; detail: string }
  /** A user-only action was called without the explicit `{ origin: 'user' }` marker. */
  | { code: 'not-user-origin' }
  /** The user already has an identity and the caller did not ask to replace it. */
  | { code: 'identity-exists' }
  /** The user compared a different key than the one now stored (it changed in between). */
  | { code: 'fingerprint-mismatch'; expected: string; actual: string }
  | { code: 'not-found'; detail: string }
  | { code: 'limit-exceeded'; detail: string }
  | { code: 'storage-failed'; detail: string }
  /** A bug or an unexpected exception below us; state was left as it was before the call. */
  | { code: 'internal'; detail: string }
  | BackupError;

export type BackupError =
  | { code: 'backup-malformed'; detail: string }
  | { code: 'backup-too-large'; detail: string }
  | { code: 'backup-unsupported'; detail: string }
  | { code: 'backup-kdf-params'; detail: string }
  /** Wrong passphrase, or the file was modified: AEAD cannot tell these apart. */
  | { code: 'backup-wrong-passphrase' };

/** lib/result.ts's Result, with the keyring's errors unless said otherwise. */
export type Result<T, E = KeyringError> = BaseResult<T, E>;

export function corrupt(record: string, detail: string): { ok: false; error: KeyringError } {
  return err({ code: 'corrupt', record, detail });
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
