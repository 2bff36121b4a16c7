import { ok } from '../../result.ts';
import { mediaErr } from '../errors.ts';
import { prefixRules } from './prefix.ts';

/**
 * VP8 (RFC 6386 section 9.1, RFC 7741 section 4.3): the first byte's low bit P is the inverse
 * key-frame flag. Key frames keep the 3-byte frame tag + 7 bytes (start code 9d 01 2a, width,
 * height) in clear: 10 bytes; delta frames keep the 3-byte frame tag. The depacketizer reads
 * the key-frame bit and, on key frames, the dimensions; that is all it needs.
 */
export const VP8_KEY_CLEAR = 10;
export const VP8_DELTA_CLEAR = 3;

export function vp8IsKeyFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && ((frame[0] ?? 1) & 0x01) === 0;
}

export const vp8Rules = prefixRules('vp8', 1, (frame) => {
  if (frame.length < 1) return mediaErr('truncated', 'empty vp8 frame');
  return ok(vp8IsKeyFrame(frame) ? VP8_KEY_CLEAR : VP8_DELTA_CLEAR);
});
