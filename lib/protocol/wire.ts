// Binary wire codec: one fixed layout per message type. The decoder treats input as hostile:
// it never throws, checks every length, and copies what it returns (no aliasing of caller buffers).
import { concatBytes } from '../bytes.ts';
import { MAX_WIRE_BYTES, PROTOCOL_VERSION } from './constants.ts';
import { err, ok, type Result } from '../result.ts';

/** Low nibble of the first byte; the high nibble is the protocol version. */
export const MESSAGE_TYPES = {
  commit: 0x1,
  reply: 0x2,
  reveal: 0x3,
  ratchet: 0x4,
  'prekey-bundle': 0x5,
  'prekey-message': 0x6,
} as const;
export type MessageType = keyof typeof MESSAGE_TYPES;

/**
 * Types decoded by lib/group, not by decodeWireMessage (which handles pairwise messages only):
 * a signed sender-key group message, and the envelope that addresses a pairwise message to one
 * member inside a group's channel. Same first-byte rule: version in the high nibble.
 */
export const GROUP_WIRE_TYPES = { 'group-message': 0x7, 'group-envelope': 0x8 } as const;
export type GroupWireType = keyof typeof GROUP_WIRE_TYPES;

export const KEY_BYTES = 32;
export const COMMIT_BYTES = 32;
export const COMMIT_REF_BYTES = 8;
export const MAC_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const TAG_BYTES = 16;
/** Max value of pn / n (uint32); a varint encodes it in 1..5 bytes. */
export const MAX_COUNTER = 0xffffffff;

export interface RatchetHeader {
  readonly dh: Uint8Array;
  readonly pn: number;
  readonly n: number;
}

export type WireMessage =
  | { readonly type: 'commit'; readonly commit: Uint8Array }
  | { readonly type: 'reply'; readonly commitRef: Uint8Array; readonly ephemeral: Uint8Array; readonly identity: Uint8Array }
  | { readonly type: 'reveal'; readonly ephemeral: Uint8Array; readonly identity: Uint8Array; readonly mac: Uint8Array }
  | {
      readonly type: 'ratchet';
      readonly header: RatchetHeader;
      /** Exact header bytes as received (first byte through n); authenticated as AD. */
      readonly headerBytes: Uint8Array;
      readonly ciphertext: Uint8Array;
    }
  | { readonly type: 'prekey-bundle'; readonly identity: Uint8Array; readonly prekey: Uint8Array; readonly signature: Uint8Array }
  | {
      readonly type: 'prekey-message';
      readonly identity: Uint8Array;
      readonly ephemeral: Uint8Array;
      readonly header: RatchetHeader;
      readonly headerBytes: Uint8Array;
      readonly ciphertext: Uint8Array;
    };

export type WireErrorCode =
  | 'empty'
  | 'too-large'
  | 'unsupported-version'
  | 'unknown-type'
  | 'truncated'
  | 'trailing-bytes'
  | 'bad-varint'
  | 'group-type';

export interface WireError {
  readonly code: WireErrorCode;
  readonly message: string;
}

function typeByte(type: MessageType): number {
  return (PROTOCOL_VERSION << 4) | MESSAGE_TYPES[type];
}

/** First byte of a group wire message (version 1 in the high nibble). */
export function groupTypeByte(type: GroupWireType): number {
  return (PROTOCOL_VERSION << 4) | GROUP_WIRE_TYPES[type];
}

/** What a wire message is, from its first byte only: lets a caller route before decoding. */
export function wireKind(bytes: Uint8Array): 'pairwise' | GroupWireType | null {
  if (bytes.length === 0 || (bytes[0] as number) >> 4 !== PROTOCOL_VERSION) return null;
  const t = (bytes[0] as number) & 0x0f;
  if (t === GROUP_WIRE_TYPES['group-message']) return 'group-message';
  if (t === GROUP_WIRE_TYPES['group-envelope']) return 'group-envelope';
  return (Object.values(MESSAGE_TYPES) as number[]).includes(t) ? 'pairwise' : null;
}

export function encodeVarint(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > MAX_COUNTER) throw new RangeError('varint out of range');
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Minimal (canonical) unsigned LEB128, at most 5 bytes, value <= uint32 max. */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } | WireError {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const pos = offset + i;
    if (pos >= bytes.length) return { code: 'truncated', message: 'varint runs past the end' };
    const b = bytes[pos] as number;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) return { code: 'bad-varint', message: 'non-minimal varint' };
      if (value > MAX_COUNTER) return { code: 'bad-varint', message: 'varint exceeds uint32' };
      return { value, next: pos + 1 };
    }
    scale *= 128;
  }
  return { code: 'bad-varint', message: 'varint longer than 5 bytes' };
}

function checkRatchetKey(dhKey: Uint8Array): void {
  if (dhKey.length !== KEY_BYTES) throw new RangeError('ratchet key must be 32 bytes');
}

export function encodeRatchetHeader(header: RatchetHeader): Uint8Array {
  checkRatchetKey(header.dh);
  return concatBytes(Uint8Array.of(typeByte('ratchet')), header.dh, encodeVarint(header.pn), encodeVarint(header.n));
}

export function encodePrekeyMessageHeader(identity: Uint8Array, ephemeral: Uint8Array, header: RatchetHeader): Uint8Array {
  checkRatchetKey(header.dh);
  if (identity.length !== KEY_BYTES || ephemeral.length !== KEY_BYTES) throw new RangeError('keys must be 32 bytes');
  return concatBytes(
    Uint8Array.of(typeByte('prekey-message')),
    identity,
    ephemeral,
    header.dh,
    encodeVarint(header.pn),
    encodeVarint(header.n),
  );
}

function fixed(bytes: Uint8Array[], lengths: number[]): void {
  bytes.forEach((b, i) => {
    if (b.length !== lengths[i]) throw new RangeError('wrong field length');
  });
}

/** Encode any message (for ratchet / prekey-message the header bytes come from the encoders above). */
export function encodeWireMessage(msg: WireMessage): Uint8Array {
  switch (msg.type) {
    case 'commit':
      fixed([msg.commit], [COMMIT_BYTES]);
      return concatBytes(Uint8Array.of(typeByte('commit')), msg.commit);
    case 'reply':
      fixed([msg.commitRef, msg.ephemeral, msg.identity], [COMMIT_REF_BYTES, KEY_BYTES, KEY_BYTES]);
      return concatBytes(Uint8Array.of(typeByte('reply')), msg.commitRef, msg.ephemeral, msg.identity);
    case 'reveal':
      fixed([msg.ephemeral, msg.identity, msg.mac], [KEY_BYTES, KEY_BYTES, MAC_BYTES]);
      return concatBytes(Uint8Array.of(typeByte('reveal')), msg.ephemeral, msg.identity, msg.mac);
    case 'prekey-bundle':
      fixed([msg.identity, msg.prekey, msg.signature], [KEY_BYTES, KEY_BYTES, SIGNATURE_BYTES]);
      return concatBytes(Uint8Array.of(typeByte('prekey-bundle')), msg.identity, msg.prekey, msg.signature);
    case 'ratchet':
      return concatBytes(encodeRatchetHeader(msg.header), msg.ciphertext);
    case 'prekey-message':
      return concatBytes(encodePrekeyMessageHeader(msg.identity, msg.ephemeral, msg.header), msg.ciphertext);
  }
}

function take(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  return bytes.slice(offset, offset + length);
}

function exact(bytes: Uint8Array, length: number): WireError | null {
  if (bytes.length < length) return { code: 'truncated', message: `expected ${length} bytes, got ${bytes.length}` };
  if (bytes.length > length) return { code: 'trailing-bytes', message: `expected ${length} bytes, got ${bytes.length}` };
  return null;
}

function decodeHeaderTail(
  bytes: Uint8Array,
  offset: number,
): Result<{ header: RatchetHeader; headerEnd: number }, WireError> {
  if (bytes.length < offset + KEY_BYTES) return err({ code: 'truncated', message: 'ratchet key truncated' });
  const dhKey = take(bytes, offset, KEY_BYTES);
  const pn = readVarint(bytes, offset + KEY_BYTES);
  if ('code' in pn) return err(pn);
  const n = readVarint(bytes, pn.next);
  if ('code' in n) return err(n);
  // Smallest valid ciphertext: a 1-byte padded body plus the tag.
  if (bytes.length < n.next + TAG_BYTES + 1) return err({ code: 'truncated', message: 'ciphertext shorter than tag' });
  return ok({ header: { dh: dhKey, pn: pn.value, n: n.value }, headerEnd: n.next });
}

export function decodeWireMessage(input: Uint8Array): Result<WireMessage, WireError> {
  if (!(input instanceof Uint8Array) || input.length === 0) return err({ code: 'empty', message: 'no bytes' });
  if (input.length > MAX_WIRE_BYTES) return err({ code: 'too-large', message: `over ${MAX_WIRE_BYTES} bytes` });
  const first = input[0] as number;
  if (first >> 4 !== PROTOCOL_VERSION) {
    return err({ code: 'unsupported-version', message: `version ${first >> 4} is not supported` });
  }
  const bytes = input;
  switch (first & 0x0f) {
    case MESSAGE_TYPES.commit: {
      const e = exact(bytes, 1 + COMMIT_BYTES);
      return e ? err(e) : ok({ type: 'commit', commit: take(bytes, 1, COMMIT_BYTES) });
    }
    case MESSAGE_TYPES.reply: {
      const e = exact(bytes, 1 + COMMIT_REF_BYTES + 2 * KEY_BYTES);
      if (e) return err(e);
      return ok({
        type: 'reply',
        commitRef: take(bytes, 1, COMMIT_REF_BYTES),
        ephemeral: take(bytes, 1 + COMMIT_REF_BYTES, KEY_BYTES),
        identity: take(bytes, 1 + COMMIT_REF_BYTES + KEY_BYTES, KEY_BYTES),
      });
    }
    case MESSAGE_TYPES.reveal: {
      const e = exact(bytes, 1 + 2 * KEY_BYTES + MAC_BYTES);
      if (e) return err(e);
      return ok({
        type: 'reveal',
        ephemeral: take(bytes, 1, KEY_BYTES),
        identity: take(bytes, 1 + KEY_BYTES, KEY_BYTES),
        mac: take(bytes, 1 + 2 * KEY_BYTES, MAC_BYTES),
      });
    }
    case MESSAGE_TYPES['prekey-bundle']: {
      const e = exact(bytes, 1 + 2 * KEY_BYTES + SIGNATURE_BYTES);
      if (e) return err(e);
      return ok({
        type: 'prekey-bundle',
        identity: take(bytes, 1, KEY_BYTES),
        prekey: take(bytes, 1 + KEY_BYTES, KEY_BYTES),
        signature: take(bytes, 1 + 2 * KEY_BYTES, SIGNATURE_BYTES),
      });
    }
    case MESSAGE_TYPES.ratchet: {
      const h = decodeHeaderTail(bytes, 1);
      if (!h.ok) return h;
      return ok({
        type: 'ratchet',
        header: h.value.header,
        headerBytes: take(bytes, 0, h.value.headerEnd),
        ciphertext: bytes.slice(h.value.headerEnd),
      });
    }
    case MESSAGE_TYPES['prekey-message']: {
      if (bytes.length < 1 + 2 * KEY_BYTES) return err({ code: 'truncated', message: 'prekey message keys truncated' });
      const h = decodeHeaderTail(bytes, 1 + 2 * KEY_BYTES);
      if (!h.ok) return h;
      return ok({
        type: 'prekey-message',
        identity: take(bytes, 1, KEY_BYTES),
        ephemeral: take(bytes, 1 + KEY_BYTES, KEY_BYTES),
        header: h.value.header,
        headerBytes: take(bytes, 0, h.value.headerEnd),
        ciphertext: bytes.slice(h.value.headerEnd),
      });
    }
    case GROUP_WIRE_TYPES['group-message']:
    case GROUP_WIRE_TYPES['group-envelope']:
      return err({ code: 'group-type', message: 'a group message: decode it with lib/group' });
    default:
      return err({ code: 'unknown-type', message: `message type ${first & 0x0f} is unknown` });
  }
}
