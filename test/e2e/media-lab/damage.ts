/** What the dishonest sender (tamper-worker.ts) does, shared with the test that checks for it. */
import type { MediaKind } from '../../../lib/media/transform.ts';

export type Damage = 'truncated' | 'unknown-key' | 'replay' | 'auth-failed';
/** Position in each period of frames -> what is done to that frame. */
export const DAMAGE_AT: Record<number, Damage> = { 10: 'truncated', 20: 'unknown-key', 30: 'replay', 35: 'auth-failed' };
/**
 * Video: every damaged frame breaks the decoder's reference chain until the next key frame, which
 * Chromium asks for only after ~2.5 s without a decodable frame (measured; Firefox asks at once):
 * the period leaves room for that, so the honest frames after it decode again.
 */
export const PERIOD: Record<MediaKind, number> = { video: 120, audio: 50 };
