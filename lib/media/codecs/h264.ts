/**
 * H.264 Annex B rules.
 *
 * What the packetizer/depacketizer needs (libwebrtc rtp_format_h264 / video_rtp_depacketizer_h264,
 * used by Chromium and Firefox): start codes to split NAL units, each NAL header byte (type for
 * STAP-A/FU-A and IDR detection), SPS and PPS in full (parsed for resolution and ids), and on
 * slices the first slice-header fields up to pic_parameter_set_id (first_mb_in_slice, slice_type,
 * pps_id; the depacketizer reads the PPS id). So per NAL unit:
 *   - SPS 7, PPS 8, AUD 9, end of sequence 10, end of stream 11, filler 12, SPS extension 13,
 *     subset SPS 15: entirely clear (parameters, no picture content).
 *   - slices 1 and 5: NAL header + the bytes covering the three Exp-Golomb fields clear, rest
 *     encrypted.
 *   - everything else that is legal in a frame (data partitions 2-4, SEI 6, 14, 16-23): NAL
 *     header clear, body encrypted (SEI can carry captions / user data).
 *   - 0 and 24-31 (unspecified / RTP aggregation types) are refused: fail closed.
 *
 * Encrypted regions are escaped like emulation prevention (insert 03 after 00 00 when the next
 * byte is <= 03, taking the clear bytes just before into account), so ciphertext never contains a
 * start code 00 00 0x (x <= 3); each escaped region is closed by a marker byte 0x80 so a NAL never
 * ends in 00 (Annex B forbids it, and a parser would take it for part of the next start code).
 * The tag and trailer are appended to the last encrypted region before escaping.
 *
 * The depacketizer rewrites every start code to 00 00 00 01, so the wire always uses 4-byte start
 * codes and start codes are not part of the associated data.
 */

import { ok, type Result } from '../../result.ts';
import { mediaErr, type MediaError } from '../errors.ts';
import { concat, type CodecRules, type Piece } from './types.ts';

const START_CODE = new Uint8Array([0, 0, 0, 1]);
const REGION_MARKER = 0x80;
/** Bound on Exp-Golomb parsing: any real first_mb/slice_type/pps_id fits far below this. */
const MAX_SLICE_HEADER_BYTES = 16;

export interface NalUnit {
  /** offset of the NAL header byte */
  start: number;
  /** end (exclusive), trailing zero bytes excluded */
  end: number;
}

/** Splits an Annex B byte stream into NAL units. The stream must start with a start code. */
export function findNalUnits(frame: Uint8Array): Result<NalUnit[], MediaError> {
  const starts: number[] = [];
  const codeStarts: number[] = [];
  let zeros = 0;
  for (let i = 0; i < frame.length; i++) {
    const b = frame[i] ?? 0;
    if (b === 1 && zeros >= 2) {
      starts.push(i + 1);
      codeStarts.push(i - Math.min(zeros, 3));
      zeros = 0;
    } else if (b === 0) {
      zeros++;
    } else {
      zeros = 0;
    }
  }
  if (starts.length === 0) return mediaErr('malformed', 'no start code');
  // Only zero bytes may precede the first start code.
  for (let i = 0; i < (codeStarts[0] ?? 0); i++) if (frame[i] !== 0) return mediaErr('malformed', 'bytes before first start code');
  const units: NalUnit[] = [];
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k] ?? 0;
    let end = k + 1 < starts.length ? (codeStarts[k + 1] ?? frame.length) : frame.length;
    while (end > start && frame[end - 1] === 0) end--;
    if (end <= start) return mediaErr('malformed', 'empty NAL unit');
    units.push({ start, end });
  }
  return ok(units);
}

type NalClass = 'clear' | 'slice' | 'body';

function classify(header: number): NalClass | null {
  if ((header & 0x80) !== 0) return null; // forbidden_zero_bit
  const type = header & 0x1f;
  if (type === 1 || type === 5) return 'slice';
  if ((type >= 7 && type <= 13) || type === 15) return 'clear';
  if (type === 0 || type >= 24) return null;
  return 'body';
}

/**
 * Bytes after the NAL header that cover first_mb_in_slice, slice_type and pic_parameter_set_id
 * (three ue(v) fields). Emulation-prevention bytes are skipped in the bit count but included in
 * the byte count. Reads only bytes that end up in clear, so the receiver gets the same answer.
 */
export function sliceHeaderClearBytes(body: Uint8Array): Result<number, MediaError> {
  let bit = 0;
  let fields = 0;
  let leadingZeros = 0;
  const limit = Math.min(body.length, MAX_SLICE_HEADER_BYTES) * 8;
  let inCode = false; // reading the info bits of a code
  let infoLeft = 0;
  while (fields < 3) {
    if (bit >= limit) return mediaErr('malformed', 'slice header too short');
    const byteIndex = bit >> 3;
    if ((bit & 7) === 0 && byteIndex >= 2 && body[byteIndex] === 3 && body[byteIndex - 1] === 0 && body[byteIndex - 2] === 0) {
      bit += 8; // emulation prevention byte
      continue;
    }
    const value = ((body[byteIndex] ?? 0) >> (7 - (bit & 7))) & 1;
    bit++;
    if (inCode) {
      infoLeft--;
      if (infoLeft === 0) {
        inCode = false;
        fields++;
      }
    } else if (value === 0) {
      leadingZeros++;
      if (leadingZeros > 31) return mediaErr('malformed', 'exp-golomb too long');
    } else if (leadingZeros === 0) {
      fields++;
    } else {
      inCode = true;
      infoLeft = leadingZeros;
      leadingZeros = 0;
    }
  }
  return ok(Math.ceil(bit / 8));
}

/** Emulation-prevention escape; `zerosBefore` = trailing zero count of the clear bytes just before. */
export function escapeRegion(data: Uint8Array, zerosBefore: number): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 2) + 1);
  let n = 0;
  let zeros = Math.min(zerosBefore, 2);
  for (const b of data) {
    if (zeros >= 2 && b <= 3) {
      out[n++] = 3;
      zeros = 0;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.slice(0, n);
}

/** Inverse of escapeRegion. Rejects 00 00 0x (x < 3), which escaping never produces. */
export function unescapeRegion(data: Uint8Array, zerosBefore: number): Result<Uint8Array, MediaError> {
  const out = new Uint8Array(data.length);
  let n = 0;
  let zeros = Math.min(zerosBefore, 2);
  for (const b of data) {
    if (zeros >= 2 && b <= 3) {
      if (b !== 3) return mediaErr('malformed', 'unescaped start code in region');
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return ok(out.slice(0, n));
}

function trailingZeros(bytes: Uint8Array): number {
  let z = 0;
  for (let i = bytes.length - 1; i >= 0 && z < 2 && bytes[i] === 0; i--) z++;
  return z;
}

/** Clear length of one NAL unit given its bytes (header first). */
function nalClearLength(nal: Uint8Array): Result<{ clear: number; encryptable: boolean }, MediaError> {
  const cls = classify(nal[0] ?? 0x80);
  if (cls === null) return mediaErr('malformed', `refused NAL header ${nal[0] ?? -1}`);
  if (cls === 'clear') return ok({ clear: nal.length, encryptable: false });
  if (cls === 'body') return ok({ clear: 1, encryptable: true });
  const sh = sliceHeaderClearBytes(nal.subarray(1));
  if (!sh.ok) return sh;
  return ok({ clear: 1 + sh.value, encryptable: true });
}

function split(plain: Uint8Array): Result<Piece[], MediaError> {
  const units = findNalUnits(plain);
  if (!units.ok) return units;
  const pieces: Piece[] = [];
  let carriers = 0;
  for (const u of units.value) {
    const nal = plain.subarray(u.start, u.end);
    const c = nalClearLength(nal);
    if (!c.ok) return c;
    pieces.push({ kind: 'clear', bytes: nal.subarray(0, c.value.clear) });
    if (c.value.encryptable) {
      pieces.push({ kind: 'enc', bytes: nal.subarray(c.value.clear) });
      carriers++;
    }
  }
  // The tag and trailer ride in the last encrypted region: a frame needs at least one.
  if (carriers === 0) return mediaErr('malformed', 'no slice or encryptable NAL unit');
  return ok(pieces);
}

function join(pieces: readonly Piece[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let prevClear: Uint8Array = new Uint8Array(0);
  for (const p of pieces) {
    if (p.kind === 'clear') {
      parts.push(START_CODE, p.bytes);
      prevClear = p.bytes;
    } else if (p.bytes.length > 0) {
      parts.push(escapeRegion(p.bytes, trailingZeros(prevClear)), new Uint8Array([REGION_MARKER]));
    }
  }
  return concat(parts);
}

function parse(wire: Uint8Array): Result<Piece[], MediaError> {
  const units = findNalUnits(wire);
  if (!units.ok) return units;
  const pieces: Piece[] = [];
  let carriers = 0;
  for (const u of units.value) {
    const nal = wire.subarray(u.start, u.end);
    const c = nalClearLength(nal);
    if (!c.ok) return c;
    if (!c.value.encryptable) {
      pieces.push({ kind: 'clear', bytes: nal });
      continue;
    }
    if (c.value.clear > nal.length) return mediaErr('truncated', 'NAL shorter than its clear bytes');
    const clear = nal.subarray(0, c.value.clear);
    pieces.push({ kind: 'clear', bytes: clear });
    const region = nal.subarray(c.value.clear);
    if (region.length === 0) {
      pieces.push({ kind: 'enc', bytes: region });
    } else {
      if (region[region.length - 1] !== REGION_MARKER) return mediaErr('malformed', 'region marker missing');
      const un = unescapeRegion(region.subarray(0, region.length - 1), trailingZeros(clear));
      if (!un.ok) return un;
      pieces.push({ kind: 'enc', bytes: un.value });
    }
    carriers++;
  }
  if (carriers === 0) return mediaErr('malformed', 'no encrypted region');
  return ok(pieces);
}

/** Plaintext for the decoder: 4-byte start code before every NAL, as the depacketizer emits. */
function restore(pieces: readonly Piece[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const p of pieces) {
    if (p.kind === 'clear') parts.push(START_CODE);
    parts.push(p.bytes);
  }
  return concat(parts);
}

export const h264Rules: CodecRules = {
  codec: 'h264',
  layout: 'pieces',
  id: 4,
  split: (plain) => split(plain),
  join,
  parse,
  restore,
};
