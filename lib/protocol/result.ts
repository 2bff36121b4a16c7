// Typed results: protocol code never throws on bad input; callers switch on `error.code`.
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/** Source of random bytes; injectable so vectors and tests are deterministic. */
export type Rng = (length: number) => Uint8Array;
