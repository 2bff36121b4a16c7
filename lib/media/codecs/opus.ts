import { ok } from '../../result.ts';
import { mediaErr } from '../errors.ts';
import { prefixRules } from './prefix.ts';

/**
 * Opus (RFC 6716 section 3.1): the TOC byte (config, stereo flag, frame count code) stays in
 * clear so an SFU can see the mode; everything else is encrypted. A 1-byte frame (DTX) has an
 * empty encrypted part but still gets a tag. Opus RED (audio/red) is a different payload and is
 * NOT covered: it fails closed as an unknown codec (RED must be disabled for encrypted calls).
 */
export const OPUS_CLEAR = 1;

export const opusRules = prefixRules('opus', 2, (frame) => {
  if (frame.length < OPUS_CLEAR) return mediaErr('truncated', 'empty opus frame');
  return ok(OPUS_CLEAR);
});
