// Small byte helpers shared by the protocol modules (no crypto here).
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, concatBytes, utf8ToBytes };

/** Hex decode that reports failure instead of throwing (for parsers). */
export function hexToBytesSafe(hex: unknown, expectedLength?: number): Uint8Array | null {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return null;
  const bytes = hexToBytes(hex);
  if (expectedLength !== undefined && bytes.length !== expectedLength) return null;
  return bytes;
}

/** Hex decode for values this module wrote itself (validated at parse time). */
export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex);
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Lexicographic comparison of equal-length byte strings; used for deterministic tie-breaks. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Constant-time equality for secrets (MACs, keys). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** 2-byte big-endian length prefix: unambiguous concatenation of variable fields in hashes. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError('field too long for length prefix');
  return concatBytes(Uint8Array.of(bytes.length >> 8, bytes.length & 0xff), bytes);
}

export function lpString(s: string): Uint8Array {
  return lengthPrefixed(utf8ToBytes(s));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
