import { err } from '../result.ts';

/**
 * Why a frame could not be protected or opened (every parser in lib/media returns these in a
 * Result: hostile input never throws). Every code maps to a drop counter.
 */
export type MediaErrorCode =
  | 'truncated' // frame too short for its own structure
  | 'malformed' // structure invalid for the codec or the trailer
  | 'unknown-codec' // no clear-byte rule for this codec: fail closed
  | 'bad-trailer' // trailer config byte / lengths invalid
  | 'unknown-key' // key id (epoch) not in the ring
  | 'replay' // counter already seen or older than the window
  | 'auth-failed' // AEAD tag did not verify
  | 'no-key' // no key installed yet where encryption is required
  | 'counter-exhausted'; // send counter reached its limit: rotate the epoch

export interface MediaError {
  code: MediaErrorCode;
  detail?: string;
}

export function mediaErr(code: MediaErrorCode, detail?: string): { ok: false; error: MediaError } {
  return detail === undefined ? err({ code }) : err({ code, detail });
}
