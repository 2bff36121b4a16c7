/** Typed results for lib/calls: hostile input never throws. */
export type Result<T, E = CallError> = { ok: true; value: T } | { ok: false; error: E };

export type CallErrorCode = 'malformed' | 'too-large' | 'no-fingerprint' | 'no-session' | 'bad-call-id';
export interface CallError {
  code: CallErrorCode;
  message: string;
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (code: CallErrorCode, message: string): { ok: false; error: CallError } => ({ ok: false, error: { code, message } });
