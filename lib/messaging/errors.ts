/** What a cross-context call can fail with: handlers never throw across a boundary. */
import type { Failure, Result as BaseResult } from '../result.ts';

export type VeilErrorCode =
  | 'invalid-message'
  | 'forbidden-sender'
  | 'site-not-enabled'
  | 'locked'
  | 'not-found'
  | 'no-identity'
  | 'no-session'
  /** Call keys: this call id was already issued to another connection (nonce reuse refused). */
  | 'call-reused'
  | 'blocked'
  | 'too-long'
  | 'storage'
  | 'internal';

export type VeilError = Failure<VeilErrorCode>;

/** lib/result.ts's Result, with a cross-context error unless said otherwise. */
export type Result<T, E = VeilError> = BaseResult<T, E>;
