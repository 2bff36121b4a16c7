/**
 * AV1 rules (low-overhead bitstream format, OBUs with obu_size).
 *
 * libwebrtc's AV1 packetizer (Chromium and Firefox) parses the frame: it reads each OBU header
 * (type, extension flag, has_size flag) and obu_size to build aggregation headers, strips the
 * size fields, and drops temporal delimiter (2), tile list (8) and padding (15) OBUs. The
 * depacketizer rebuilds every OBU with has_size = 1 and a fresh leb128 size. So the frame that
 * reaches the receiver's transform is a normalized form of what the sender's transform emitted.
 *
 * Rule: the sender drops OBU types 2, 8, 15 itself and emits every other OBU normalized: header
 * byte with has_size = 1 (clear), extension byte if any (clear), minimal leb128 size (clear),
 * payload (encrypted). The tag and trailer extend the last OBU's payload; its size field counts
 * them. The receiver normalizes what it parses the same way (accepting a missing size on the last
 * OBU or non-minimal leb128), so both sides authenticate identical clear bytes. All OBU payloads,
 * sequence headers included, are encrypted: the depacketizer needs only the headers.
 */

import { ok, type Result } from '../../result.ts';
import { mediaErr, type MediaError } from '../errors.ts';
import { concat, concatPieces, type CodecRules, type Piece } from './types.ts';

const HAS_SIZE = 0x02;
const HAS_EXT = 0x04;
const DROPPED_TYPES = new Set([2, 8, 15]);
const MAX_LEB128_BYTES = 8;
/** Frames are far below 2^32 bytes; larger sizes are hostile. */
const MAX_OBU_SIZE = 0xffffffff;

export function encodeLeb128(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return new Uint8Array(out);
}

export function decodeLeb128(bytes: Uint8Array, offset: number): Result<{ value: number; length: number }, MediaError> {
  let value = 0;
  for (let i = 0; i < MAX_LEB128_BYTES; i++) {
    const b = bytes[offset + i];
    if (b === undefined) return mediaErr('truncated', 'leb128');
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > MAX_OBU_SIZE) return mediaErr('malformed', 'obu size too large');
      return ok({ value, length: i + 1 });
    }
  }
  return mediaErr('malformed', 'leb128 too long');
}

interface Obu {
  header: number;
  ext: number | null;
  payload: Uint8Array;
}

function parseObus(frame: Uint8Array): Result<Obu[], MediaError> {
  const obus: Obu[] = [];
  let i = 0;
  while (i < frame.length) {
    const header = frame[i] ?? 0;
    if ((header & 0x80) !== 0) return mediaErr('malformed', 'obu forbidden bit');
    i++;
    let ext: number | null = null;
    if ((header & HAS_EXT) !== 0) {
      const e = frame[i];
      if (e === undefined) return mediaErr('truncated', 'obu extension');
      ext = e;
      i++;
    }
    let size: number;
    if ((header & HAS_SIZE) !== 0) {
      const leb = decodeLeb128(frame, i);
      if (!leb.ok) return leb;
      i += leb.value.length;
      size = leb.value.value;
    } else {
      size = frame.length - i; // without a size field the OBU runs to the end of the frame
    }
    if (i + size > frame.length) return mediaErr('truncated', 'obu payload');
    obus.push({ header, ext, payload: frame.subarray(i, i + size) });
    i += size;
  }
  return ok(obus);
}

function obuType(header: number): number {
  return (header >> 3) & 0x0f;
}

function clearHeader(obu: Obu, payloadLength: number): Uint8Array {
  const head = obu.ext === null ? [obu.header | HAS_SIZE] : [obu.header | HAS_SIZE, obu.ext];
  return concat([new Uint8Array(head), encodeLeb128(payloadLength)]);
}

function split(plain: Uint8Array, overhead: number): Result<Piece[], MediaError> {
  const parsed = parseObus(plain);
  if (!parsed.ok) return parsed;
  const kept = parsed.value.filter((o) => !DROPPED_TYPES.has(obuType(o.header)));
  if (kept.length === 0) return mediaErr('malformed', 'no AV1 OBU to carry the tag');
  const pieces: Piece[] = [];
  kept.forEach((obu, k) => {
    const wireLength = obu.payload.length + (k === kept.length - 1 ? overhead : 0);
    pieces.push({ kind: 'clear', bytes: clearHeader(obu, wireLength) });
    pieces.push({ kind: 'enc', bytes: obu.payload });
  });
  return ok(pieces);
}

function parse(wire: Uint8Array): Result<Piece[], MediaError> {
  const parsed = parseObus(wire);
  if (!parsed.ok) return parsed;
  if (parsed.value.length === 0) return mediaErr('truncated', 'empty AV1 frame');
  const pieces: Piece[] = [];
  for (const obu of parsed.value) {
    // The sender never emits these types: their presence means tampering or no encryption.
    if (DROPPED_TYPES.has(obuType(obu.header))) return mediaErr('malformed', 'unexpected OBU type');
    pieces.push({ kind: 'clear', bytes: clearHeader(obu, obu.payload.length) });
    pieces.push({ kind: 'enc', bytes: obu.payload });
  }
  return ok(pieces);
}

/** Plaintext OBUs with sizes matching the decrypted payloads. */
function restore(pieces: readonly Piece[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let k = 0; k + 1 < pieces.length; k += 2) {
    const clear = pieces[k];
    const enc = pieces[k + 1];
    if (clear === undefined || enc === undefined) break;
    const header = clear.bytes[0] ?? 0;
    const headLen = (header & HAS_EXT) !== 0 ? 2 : 1;
    parts.push(clear.bytes.subarray(0, headLen), encodeLeb128(enc.bytes.length), enc.bytes);
  }
  return concat(parts);
}

export const av1Rules: CodecRules = {
  codec: 'av1',
  layout: 'pieces',
  id: 5,
  split,
  join: concatPieces,
  parse,
  restore,
};
