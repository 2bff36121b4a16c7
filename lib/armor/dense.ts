import { ok, fail, type Result } from '../result.ts';
import type { ArmorError } from './errors.ts';

/**
 * The 'dense' alphabet: 14 bits per UTF-16 code unit, for sites that limit characters.
 * Full symbols: the 2^14 code points U+4E00..U+8DFF. A final partial group of at most 6 bits uses
 * one of 64 "tail" symbols U+8E00..U+8E3F. All of them lie in the CJK Unified Ideographs block,
 * which has no decompositions and is not produced by any composition, so NFC/NFD/NFKC/NFKD leave
 * every symbol unchanged (checked over all 16448 code points in the unit tests). All are BMP, so
 * one symbol is one UTF-16 unit.
 *
 * Why the tail set: c full 14-bit symbols hold between 14c-13 and 14c bits, a range that can
 * contain two multiples of 8, so the symbol count alone cannot tell two byte lengths apart. When
 * the final group has <= 6 bits it is written with a tail symbol, otherwise (8..14 bits) with a full
 * symbol; each case leaves exactly one possible byte length.
 */
export const DENSE_MAIN_BASE = 0x4e00;
export const DENSE_MAIN_SIZE = 1 << 14;
export const DENSE_TAIL_BASE = DENSE_MAIN_BASE + DENSE_MAIN_SIZE; // U+8E00
export const DENSE_TAIL_SIZE = 64;

/** True for any dense symbol (full or tail). */
export function isDenseSymbol(code: number): boolean {
  return code >= DENSE_MAIN_BASE && code < DENSE_TAIL_BASE + DENSE_TAIL_SIZE;
}

/** Number of symbols encodeDense produces for n bytes. */
export function denseLength(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 14);
}

export function encodeDense(bytes: Uint8Array): string {
  const out: string[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    if (bits >= 14) {
      bits -= 14;
      out.push(String.fromCharCode(DENSE_MAIN_BASE + ((acc >> bits) & (DENSE_MAIN_SIZE - 1))));
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0 && bits <= 6) {
    out.push(String.fromCharCode(DENSE_TAIL_BASE + ((acc << (6 - bits)) & (DENSE_TAIL_SIZE - 1))));
  } else if (bits > 6) {
    out.push(String.fromCharCode(DENSE_MAIN_BASE + ((acc << (14 - bits)) & (DENSE_MAIN_SIZE - 1))));
  }
  return out.join('');
}

/** Decodes a clean symbol string (no ignorable characters). Exact inverse of encodeDense. */
export function decodeDense(symbols: string): Result<Uint8Array, ArmorError> {
  const count = symbols.length;
  if (count === 0) return ok(new Uint8Array(0));
  const lastCode = symbols.charCodeAt(count - 1);
  const tail = lastCode >= DENSE_TAIL_BASE && lastCode < DENSE_TAIL_BASE + DENSE_TAIL_SIZE;
  const fullBits = 14 * (count - 1);
  // Upper bound of carried bits; exactly one multiple of 8 must lie in (fullBits, maxBits]
  // (main-final) or in (fullBits, fullBits + 6] (tail-final, which may contain none).
  const maxBits = tail ? fullBits + 6 : fullBits + 14;
  const n = Math.floor(maxBits / 8);
  if (n * 8 <= fullBits) return fail('bad-length', `${count} dense symbols encode no byte length`);
  const out = new Uint8Array(n);
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    const code = symbols.charCodeAt(i);
    let width: number;
    let v: number;
    if (code >= DENSE_MAIN_BASE && code < DENSE_TAIL_BASE) {
      width = 14;
      v = code - DENSE_MAIN_BASE;
    } else if (i === count - 1 && tail) {
      width = 6;
      v = code - DENSE_TAIL_BASE;
    } else {
      return fail('bad-char', `character ${i} is not a dense symbol in this position`);
    }
    acc = (acc << width) | v;
    bits += width;
    while (bits >= 8 && k < n) {
      bits -= 8;
      out[k++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) return fail('non-canonical', 'padding bits of the last dense symbol are not zero');
  return ok(out);
}
