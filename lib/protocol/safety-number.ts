// Signal-style 60-digit safety number. Per party: h = version(2 bytes, 0) || key || handle, then
// 5200 rounds of h = SHA-512(h || key); the first 30 bytes become six 5-byte big-endian uint40
// chunks, each mod 100000 as 5 digits. The two 30-digit halves are sorted and concatenated so
// both people see the same number.
import { concatBytes, utf8ToBytes } from '../bytes.ts';
import { sha512 } from './primitives.ts';

export const SAFETY_NUMBER_VERSION = 0;
export const SAFETY_NUMBER_ITERATIONS = 5200;

export function safetyNumberHalf(publicKey: Uint8Array, handle: string): string {
  let h = concatBytes(Uint8Array.of(SAFETY_NUMBER_VERSION >> 8, SAFETY_NUMBER_VERSION & 0xff), publicKey, utf8ToBytes(handle));
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = sha512(concatBytes(h, publicKey));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let v = 0;
    for (let j = 0; j < 5; j++) v = v * 256 + (h[chunk * 5 + j] as number); // < 2^40: exact in a double
    digits += String(v % 100000).padStart(5, '0');
  }
  return digits;
}

export function safetyNumber(
  self: { publicKey: Uint8Array; handle: string },
  peer: { publicKey: Uint8Array; handle: string },
): string {
  const halves = [safetyNumberHalf(self.publicKey, self.handle), safetyNumberHalf(peer.publicKey, peer.handle)].sort();
  return halves.join('');
}

/** 60 digits as 12 groups of 5, the way Signal displays them. */
export function formatSafetyNumber(digits: string): string {
  return (digits.match(/.{1,5}/g) ?? []).join(' ');
}
