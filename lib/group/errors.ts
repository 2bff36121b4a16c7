// Typed errors of the group layer. Every error leaves the caller's state untouched; `recovery`
// says what the caller can do about it.
import { err } from '../result.ts';

export type GroupErrorCode =
  | 'malformed'
  | 'bad-context'
  | 'bad-members'
  | 'wrong-group'
  | 'wrong-context'
  | 'unknown-group'
  | 'not-member'
  | 'not-owner'
  | 'not-active'
  | 'not-allowed'
  | 'wrong-sender'
  | 'own-message'
  | 'own-key'
  | 'unknown-sender-key'
  | 'future-epoch'
  | 'old-epoch'
  | 'bad-epoch'
  | 'membership-fork'
  | 'fork'
  | 'stale-commit'
  | 'bad-commit'
  | 'duplicate-welcome'
  | 'bad-signature'
  | 'undecryptable'
  | 'duplicate'
  | 'key-dropped'
  | 'too-far-ahead'
  | 'bad-content'
  | 'too-long'
  | 'bad-key'
  | 'duplicate-distribution'
  | 'replayed-distribution'
  | 'stale-distribution'
  | 'key-claimed-by-other'
  | 'bad-key-proof'
  | 'counter-exhausted';

/**
 * none: nothing to do (a forgery, a replay, a re-rendered message: show the cached plaintext).
 * wait: keys or a commit are still on their way; give the same input again after the next
 *       'sender-key' or 'epoch' event.
 * hold: no group state for this payload yet; keep it and give it again after 'invited'.
 * rotate: call rotateSenderKey, then send.
 */
export type GroupRecovery = 'none' | 'wait' | 'hold' | 'rotate';

export interface GroupError {
  readonly code: GroupErrorCode;
  readonly message: string;
  readonly recovery: GroupRecovery;
}

export function groupFail(code: GroupErrorCode, message: string, recovery: GroupRecovery = 'none'): { ok: false; error: GroupError } {
  return err({ code, message, recovery });
}
