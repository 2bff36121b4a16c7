import { ok } from '../../result.ts';
import { prefixRules } from './prefix.ts';

/**
 * VP9: zero clear bytes. libwebrtc (used by Chromium and Firefox) builds the VP9 RTP payload
 * descriptor (RFC 9628) from the encoder's codec-specific info that travels with the frame
 * (RTPVideoHeaderVP9), not from the bitstream; the depacketizer reads only that descriptor,
 * which stays outside the encrypted payload in every packet. Discord's DAVE protocol ships the
 * same rule. Consequence: keeping uncompressed-header bytes in clear would leak picture info and
 * buy nothing. To be confirmed by the browser end-to-end test (decoded frames must appear).
 */
export const vp9Rules = prefixRules('vp9', 3, () => ok(0));
