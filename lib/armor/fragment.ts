import { bytesToHex, randomBytes } from '../bytes.ts';
import { asciiLength } from './ascii.ts';
import { type Alphabet, BLOCK_OVERHEAD, buildBlock } from './block.ts';
import { denseLength } from './dense.ts';
import { fail, ok, type Result } from '../result.ts';
import type { ArmorError } from './errors.ts';

/**
 * Fragment payload layout (inside a "VLf" block):
 *   id     4 bytes  random, groups the fragments of one message
 *   index  u16 BE   0-based position k
 *   count  u16 BE   total fragments n, 2 <= n
 *   data   >= 1 byte
 */
export const FRAGMENT_ID_BYTES = 4;
export const FRAGMENT_HEADER_BYTES = FRAGMENT_ID_BYTES + 4;
/** Most fragments a sender produces; equals the Reassembler's default count cap. */
export const MAX_FRAGMENT_COUNT = 1024;

export interface Fragment {
  /** Lowercase hex of the 4-byte random id. */
  id: string;
  index: number;
  count: number;
  bytes: Uint8Array;
}

export type RandomSource = (length: number) => Uint8Array;

export function encodeFragmentPayload({ id, index, count, data }: { id: Uint8Array; index: number; count: number; data: Uint8Array }): Uint8Array {
  const out = new Uint8Array(FRAGMENT_HEADER_BYTES + data.length);
  out.set(id.subarray(0, FRAGMENT_ID_BYTES), 0);
  out[4] = index >> 8;
  out[5] = index & 255;
  out[6] = count >> 8;
  out[7] = count & 255;
  out.set(data, FRAGMENT_HEADER_BYTES);
  return out;
}

export function decodeFragmentPayload(payload: Uint8Array): Result<Fragment, ArmorError> {
  if (payload.length <= FRAGMENT_HEADER_BYTES) return fail('bad-header', 'fragment shorter than its header plus one data byte');
  const index = ((payload[4] as number) << 8) | (payload[5] as number);
  const count = ((payload[6] as number) << 8) | (payload[7] as number);
  if (count < 2) return fail('bad-header', 'fragment count below 2');
  if (index >= count) return fail('bad-header', 'fragment index not below count');
  return ok({
    id: bytesToHex(payload.subarray(0, FRAGMENT_ID_BYTES)),
    index,
    count,
    bytes: payload.slice(FRAGMENT_HEADER_BYTES),
  });
}

function symbolCount(byteLength: number, alphabet: Alphabet): number {
  return alphabet === 'dense' ? denseLength(byteLength) : asciiLength(byteLength);
}

/** Characters (UTF-16 units) of a whole block for n bytes; every symbol is one BMP unit. */
export function wholeBlockLength(byteLength: number, alphabet: Alphabet): number {
  return BLOCK_OVERHEAD + symbolCount(byteLength, alphabet);
}

/** Most data bytes one fragment block of at most maxChars can carry (0 if none). */
export function fragmentCapacity(maxChars: number, alphabet: Alphabet): number {
  const symbols = maxChars - BLOCK_OVERHEAD;
  if (symbols <= 0) return 0;
  // floor(bits / 8) bytes always fit: the encoders use ceil(8n / w) symbols.
  const bits = symbols * (alphabet === 'dense' ? 14 : 6);
  return Math.max(0, Math.floor(bits / 8) - FRAGMENT_HEADER_BYTES);
}

/**
 * One whole block if it fits in maxChars, else fragments of at most maxChars UTF-16 units each.
 * Data is split evenly (sizes differ by at most one byte) so the last fragment does not reveal the
 * exact length more than the others do.
 * Throws RangeError only on programmer error: maxChars not a positive integer, too small to carry
 * one data byte per fragment, or a message needing more than MAX_FRAGMENT_COUNT fragments.
 */
export function armorFragments(
  bytes: Uint8Array,
  { alphabet, maxChars, rng = randomBytes }: { alphabet: Alphabet; maxChars: number; rng?: RandomSource },
): string[] {
  if (!Number.isSafeInteger(maxChars) || maxChars <= 0) throw new RangeError('maxChars must be a positive integer');
  if (wholeBlockLength(bytes.length, alphabet) <= maxChars) return [buildBlock('whole', bytes, alphabet)];
  const capacity = fragmentCapacity(maxChars, alphabet);
  if (capacity < 1) throw new RangeError(`maxChars ${maxChars} too small for a fragment`);
  const count = Math.ceil(bytes.length / capacity);
  if (count > MAX_FRAGMENT_COUNT) {
    throw new RangeError(`message needs ${count} fragments, more than ${MAX_FRAGMENT_COUNT}`);
  }
  const id = rng(FRAGMENT_ID_BYTES);
  if (id.length !== FRAGMENT_ID_BYTES) throw new RangeError('rng returned the wrong number of bytes');
  return fragmentSlices(bytes.length, count).map(([start, end], k) =>
    buildBlock('fragment', encodeFragmentPayload({ id, index: k, count, data: bytes.subarray(start, end) }), alphabet),
  );
}

/**
 * How a message of `length` bytes is split into `count` fragments: evenly, the first
 * `length % count` fragments one byte longer. [start, end) byte ranges, in order.
 */
export function fragmentSlices(length: number, count: number): Array<[number, number]> {
  const base = Math.floor(length / count);
  const extra = length % count;
  const out: Array<[number, number]> = [];
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const size = base + (k < extra ? 1 : 0);
    out.push([offset, offset + size]);
    offset += size;
  }
  return out;
}
