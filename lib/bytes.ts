/**
 * Byte and text helpers: the one home for all of lib/. Noble's own where noble has one; ours
 * only for what parsers of hostile input need (decoders return null instead of throwing).
 */
import { hexToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
/** Constant-time equality (no early exit): for MACs, keys and anything secret. */
export { equalBytes } from '@noble/ciphers/utils.js';

/** Hex decode that reports failure instead of throwing (lower-case only, optional exact length). */
export function hexToBytesSafe(hex: unknown, expectedLength?: number): Uint8Array | null {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return null;
  const bytes = hexToBytes(hex);
  if (expectedLength !== undefined && bytes.length !== expectedLength) return null;
  return bytes;
}

/** Lexicographic order of byte strings (deterministic tie-breaks; not constant time). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decode: null for bytes that are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  // Chunked to keep String.fromCharCode's argument count small.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Decodes canonical padded base64; null on anything else or when longer than maxBytes. */
export function base64ToBytes(text: unknown, maxBytes: number): Uint8Array | null {
  if (typeof text !== 'string') return null;
  if (text.length > Math.ceil(maxBytes / 3) * 4) return null;
  if (!B64_RE.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
