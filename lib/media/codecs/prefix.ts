import { ok, type Result } from '../../result.ts';
import { mediaErr, type MediaError } from '../errors.ts';
import { concatPieces, type CodecRules, type CodecName, type Piece } from './types.ts';

/**
 * Rules for codecs whose clear part is a prefix of the frame (VP8, VP9, Opus): one clear piece,
 * one enc piece, nothing rewritten. `clearLength` reads only the first byte(s), which stay in
 * clear, so sender and receiver compute the same split.
 */
export function prefixRules(
  codec: CodecName,
  id: number,
  clearLength: (frame: Uint8Array) => Result<number, MediaError>,
): CodecRules {
  const split = (frame: Uint8Array, extra: number): Result<Piece[], MediaError> => {
    const n = clearLength(frame);
    if (!n.ok) return n;
    if (frame.length < n.value + extra) return mediaErr('truncated', `${codec} frame shorter than its clear bytes`);
    return ok([
      { kind: 'clear', bytes: frame.subarray(0, n.value) },
      { kind: 'enc', bytes: frame.subarray(n.value) },
    ]);
  };
  return {
    codec,
    id,
    layout: 'prefix',
    split: (plain) => split(plain, 0),
    join: concatPieces,
    // On the wire the enc piece must at least hold one byte of trailer; crypto checks the rest.
    parse: (wire) => split(wire, 1),
    restore: concatPieces,
  };
}
