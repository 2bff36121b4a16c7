/**
 * The one typed result of Veil's code: whatever meets hostile input (a parser, storage read
 * back, a message from another context) returns one of these instead of throwing. Each layer
 * names its own errors (ArmorError, KeyringError, VeilError…); the shape is shared.
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/** An error said in words: a code to branch on and a message for people. */
export interface Failure<C extends string> {
  code: C;
  message: string;
}

export function fail<C extends string>(code: C, message: string): { ok: false; error: Failure<C> } {
  return { ok: false, error: { code, message } };
}
