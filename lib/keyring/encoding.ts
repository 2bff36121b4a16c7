/**
 * Shape checks for values read back from storage or a backup file: they are hostile, so checks
 * return false or null instead of throwing (byte and text helpers: lib/bytes.ts).
 */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * True when `v` survives JSON round-trip unchanged (plain objects, arrays, strings, finite
 * numbers, booleans, null), bounded in depth so a hostile value cannot blow the stack.
 */
export function isJsonSafe(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonSafe(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).every((x) => isJsonSafe(x, depth + 1));
  return false;
}

export function isSafeInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}
