import type { Result } from '../../result.ts';
import type { MediaError } from '../errors.ts';

export type CodecName = 'vp8' | 'vp9' | 'av1' | 'h264' | 'opus';

/**
 * A frame split into regions. `clear` bytes travel as they are (authenticated as associated
 * data); `enc` bytes are encrypted. Piece order is the frame order.
 */
export type Piece = { kind: 'clear'; bytes: Uint8Array } | { kind: 'enc'; bytes: Uint8Array };

/**
 * Clear-byte rules of one codec.
 *
 * Sender: split(plain, overhead) -> pieces (enc = plaintext) -> [crypto] -> join(pieces with
 * ciphertext; the last enc piece carries tag + trailer) -> wire frame.
 * Receiver: parse(wire) -> pieces (enc = ciphertext, last one still carrying tag + trailer)
 * -> [crypto] -> restore(pieces with plaintext) -> frame for the decoder.
 *
 * Invariant tested per codec: parse(join(split(x))) yields the same clear pieces as split(x),
 * so sender and receiver authenticate the same associated data.
 */
export interface CodecRules {
  readonly codec: CodecName;
  /** Numeric id bound into the associated data so a frame cannot be re-read as another codec. */
  readonly id: number;
  /**
   * 'prefix': split/parse always give [clear prefix, enc rest] and join/restore only concatenate,
   * so the crypto can write a frame straight into its one output buffer. 'pieces': anything else
   * (rewritten or interleaved regions) goes through join/restore.
   */
  readonly layout: 'prefix' | 'pieces';
  /** `overhead` = tag + trailer bytes that join() will append to the last enc piece. */
  split(plain: Uint8Array, overhead: number): Result<Piece[], MediaError>;
  join(pieces: readonly Piece[]): Uint8Array;
  parse(wire: Uint8Array): Result<Piece[], MediaError>;
  restore(pieces: readonly Piece[]): Uint8Array;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function concatPieces(pieces: readonly Piece[]): Uint8Array {
  return concat(pieces.map((p) => p.bytes));
}
