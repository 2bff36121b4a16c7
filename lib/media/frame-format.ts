/**
 * Wire format of an encrypted media frame (SFrame-inspired, RFC 9605).
 *
 *   [codec layout: clear pieces interleaved with ciphertext pieces] [tag 16] [CTR] [KID] [CFG]
 *
 * The trailer sits at the END so the codec's clear bytes stay at the start where the RTP
 * packetizer and depacketizer look. It is read backwards from the last byte:
 *
 *   CFG (1 byte): 1 0 c c c k k k
 *     bit 7   = 1 always (the frame never ends in 0x00, which H.264 Annex B forbids)
 *     bit 6   = 0 (format version 0; a set bit is rejected)
 *     bits 5-3 = length of CTR in bytes minus 1 (1..7 accepted)
 *     bits 2-0 = length of KID in bytes minus 1 (1..7 accepted)
 *   KID: key id = epoch, big-endian, minimal length.
 *   CTR: per-key frame counter, big-endian, minimal length.
 *
 * For H.264 the tag and trailer sit inside the last escaped region (see codecs/h264.ts), so the
 * receiver unescapes before reading them; for the other codecs they are the literal last bytes.
 *
 * Nonce (12 bytes) = salt XOR (CTR left-padded to 12 bytes), as SFrame. The salt is fixed per key
 * (derived from the key), the counter strictly increases per key (one counter per send key,
 * shared by every track using that key), so two frames under one key never share a nonce.
 */

import { ok, type Result } from '../result.ts';
import { mediaErr, type MediaError } from './errors.ts';

export const TAG_LENGTH = 16;
export const NONCE_LENGTH = 12;
/** Counters and key ids are JS safe integers: at most 7 bytes on the wire. */
export const MAX_FIELD_BYTES = 7;
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
export const MAX_KEY_ID = Number.MAX_SAFE_INTEGER;

const CFG_FIXED = 0x80;
const CFG_VERSION_MASK = 0x40;

export interface TrailerFields {
  keyId: number;
  counter: number;
}

function minimalLength(value: number): number {
  let n = 1;
  let v = Math.floor(value / 256);
  while (v > 0) {
    n++;
    v = Math.floor(v / 256);
  }
  return n;
}

function writeBigEndian(out: Uint8Array, offset: number, length: number, value: number): void {
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function readBigEndian(bytes: Uint8Array, offset: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + (bytes[offset + i] ?? 0);
  return v;
}

function isField(value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** Encodes CTR || KID || CFG. Callers validate ranges; out-of-range values are a programming error. */
export function encodeTrailer(fields: TrailerFields): Uint8Array {
  if (!isField(fields.counter, MAX_COUNTER) || !isField(fields.keyId, MAX_KEY_ID)) {
    throw new RangeError('trailer field out of range');
  }
  const ctrLen = minimalLength(fields.counter);
  const kidLen = minimalLength(fields.keyId);
  const out = new Uint8Array(ctrLen + kidLen + 1);
  writeBigEndian(out, 0, ctrLen, fields.counter);
  writeBigEndian(out, ctrLen, kidLen, fields.keyId);
  out[ctrLen + kidLen] = CFG_FIXED | ((ctrLen - 1) << 3) | (kidLen - 1);
  return out;
}

export interface ParsedTrailer extends TrailerFields {
  /** Number of trailer bytes (CTR + KID + CFG) at the end of `bytes`. */
  length: number;
  /** The raw trailer bytes, authenticated as part of the associated data. */
  raw: Uint8Array;
}

/** Reads the trailer from the end of `bytes`. Hostile input: typed error, never throws. */
export function decodeTrailer(bytes: Uint8Array): Result<ParsedTrailer, MediaError> {
  if (bytes.length < 1) return mediaErr('truncated', 'no trailer');
  const cfg = bytes[bytes.length - 1] ?? 0;
  if ((cfg & CFG_FIXED) === 0 || (cfg & CFG_VERSION_MASK) !== 0) return mediaErr('bad-trailer', 'config byte');
  const ctrLen = ((cfg >> 3) & 0x07) + 1;
  const kidLen = (cfg & 0x07) + 1;
  if (ctrLen > MAX_FIELD_BYTES || kidLen > MAX_FIELD_BYTES) return mediaErr('bad-trailer', 'field length');
  const length = ctrLen + kidLen + 1;
  if (bytes.length < length) return mediaErr('truncated', 'trailer');
  const start = bytes.length - length;
  const counter = readBigEndian(bytes, start, ctrLen);
  const keyId = readBigEndian(bytes, start + ctrLen, kidLen);
  if (!isField(counter, MAX_COUNTER) || !isField(keyId, MAX_KEY_ID)) return mediaErr('bad-trailer', 'field value');
  // Minimal encoding only: one frame has exactly one valid trailer encoding.
  if (minimalLength(counter) !== ctrLen || minimalLength(keyId) !== kidLen) return mediaErr('bad-trailer', 'non-minimal');
  return ok({ keyId, counter, length, raw: bytes.slice(start) });
}

/** Upper bound on trailer size, used by codecs that must size a region before the counter is known. */
export function trailerLength(fields: TrailerFields): number {
  return minimalLength(fields.counter) + minimalLength(fields.keyId) + 1;
}

/** nonce = salt XOR counter (big-endian, right-aligned in 12 bytes). */
export function frameNonce(salt: Uint8Array, counter: number): Uint8Array {
  if (salt.length !== NONCE_LENGTH) throw new RangeError('salt must be 12 bytes');
  if (!isField(counter, MAX_COUNTER)) throw new RangeError('counter out of range');
  const nonce = salt.slice();
  let v = counter;
  for (let i = NONCE_LENGTH - 1; i >= 0 && v > 0; i--) {
    nonce[i] = (nonce[i] ?? 0) ^ (v % 256);
    v = Math.floor(v / 256);
  }
  return nonce;
}
