/** Typed results for every cross-context call: handlers never throw across a boundary. */
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

export interface VeilError {
  code: VeilErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: VeilError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: VeilErrorCode, message: string): { ok: false; error: VeilError } => ({
  ok: false,
  error: { code, message },
});
