// Byte encodings the protocol's hashes and transcripts fix (general helpers: lib/bytes.ts).
import { concatBytes, utf8ToBytes } from '../bytes.ts';

/** 2-byte big-endian length prefix: unambiguous concatenation of variable fields in hashes. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError('field too long for length prefix');
  return concatBytes(Uint8Array.of(bytes.length >> 8, bytes.length & 0xff), bytes);
}

export function lpString(s: string): Uint8Array {
  return lengthPrefixed(utf8ToBytes(s));
}
