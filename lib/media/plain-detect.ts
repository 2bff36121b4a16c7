/**
 * Heuristics for "the peer is not encrypting": does a received frame parse as a plain codec
 * payload rather than as a Veil frame? Used only for counting and UI truth, never to let a
 * frame through once encryption is expected.
 */

import type { CodecName, CodecRules } from './codecs/types.ts';
import { findNalUnits } from './codecs/h264.ts';
import { decodeTrailer } from './frame-format.ts';
import { vp8IsKeyFrame } from './codecs/vp8.ts';

/** True when the frame has a structurally valid Veil layout and trailer for this codec. */
export function looksVeilEncrypted(rules: CodecRules, data: Uint8Array): boolean {
  const parsed = rules.parse(data);
  if (!parsed.ok) return false;
  let last: Uint8Array | null = null;
  for (const p of parsed.value) if (p.kind === 'enc') last = p.bytes;
  return last !== null && decodeTrailer(last).ok;
}

/** True when the frame parses as a plain payload of `codec` and does not look like a Veil frame. */
export function looksPlain(codec: CodecName, rules: CodecRules, data: Uint8Array): boolean {
  if (looksVeilEncrypted(rules, data)) return false;
  switch (codec) {
    case 'vp8':
      // Key frames carry the start code 9d 01 2a; deltas have no signature to check.
      return vp8IsKeyFrame(data) ? data[3] === 0x9d && data[4] === 0x01 && data[5] === 0x2a : data.length > 0;
    case 'h264': {
      const units = findNalUnits(data);
      return units.ok && units.value.every((u) => ((data[u.start] ?? 0x80) & 0x80) === 0);
    }
    case 'opus':
    case 'vp9':
    case 'av1':
      return data.length > 0;
  }
}
