// Group wire formats (first byte: version 1 in the high nibble, type in the low one):
//   0x17 group message:  type · groupId(8) · keyId(8) · varint epoch · varint index · thTag(4)
//                        · ciphertext (padded body + 16-byte tag) · signature(64)
//   0x18 group envelope: type · to(8) · from(8) · inner pairwise wire message
// Decoders treat input as hostile: never throw, check every length, copy what they return.
import { concatBytes } from '../bytes.ts';
import { MAX_WIRE_BYTES, PROTOCOL_VERSION } from '../protocol/constants.ts';
import { err, ok, type Result } from '../result.ts';
import { GROUP_WIRE_TYPES, MAX_COUNTER, SIGNATURE_BYTES, TAG_BYTES, encodeVarint, groupTypeByte } from '../protocol/wire.ts';
import { GROUP_ID_BYTES, KEY_ID_BYTES, MEMBER_TAG_BYTES, TRANSCRIPT_TAG_BYTES } from './constants.ts';
import { Reader } from './reader.ts';

export interface GroupHeader {
  readonly groupId: Uint8Array;
  readonly keyId: Uint8Array;
  /** Membership epoch the sender was at; the signature covers that epoch's transcript hash. */
  readonly epoch: number;
  readonly index: number;
  readonly transcriptTag: Uint8Array;
}

export interface GroupMessageWire {
  readonly header: GroupHeader;
  /** Exact header bytes (type through thTag): the AEAD's associated data ends with them. */
  readonly headerBytes: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Every byte before the signature (what it signs, after the label, transcript and author). */
  readonly signedBody: Uint8Array;
  readonly signature: Uint8Array;
}

export interface GroupEnvelope {
  readonly to: Uint8Array;
  readonly from: Uint8Array;
  readonly inner: Uint8Array;
}

export type GroupWireErrorCode = 'empty' | 'too-large' | 'unsupported-version' | 'wrong-type' | 'malformed';
export interface GroupWireError {
  readonly code: GroupWireErrorCode;
  readonly message: string;
}

export function encodeGroupHeader(h: GroupHeader): Uint8Array {
  if (h.groupId.length !== GROUP_ID_BYTES || h.keyId.length !== KEY_ID_BYTES || h.transcriptTag.length !== TRANSCRIPT_TAG_BYTES) {
    throw new RangeError('wrong header field length');
  }
  return concatBytes(Uint8Array.of(groupTypeByte('group-message')), h.groupId, h.keyId, encodeVarint(h.epoch), encodeVarint(h.index), h.transcriptTag);
}

function checkFirst(input: Uint8Array, type: number): GroupWireError | null {
  if (!(input instanceof Uint8Array) || input.length === 0) return { code: 'empty', message: 'no bytes' };
  if (input.length > MAX_WIRE_BYTES) return { code: 'too-large', message: `over ${MAX_WIRE_BYTES} bytes` };
  const first = input[0] as number;
  if (first >> 4 !== PROTOCOL_VERSION) return { code: 'unsupported-version', message: `version ${first >> 4} is not supported` };
  if ((first & 0x0f) !== type) return { code: 'wrong-type', message: `type ${first & 0x0f} is not this format` };
  return null;
}

export function decodeGroupMessage(input: Uint8Array): Result<GroupMessageWire, GroupWireError> {
  const bad = checkFirst(input, GROUP_WIRE_TYPES['group-message']);
  if (bad) return err(bad);
  const r = new Reader(input, 1);
  const groupId = r.fixed(GROUP_ID_BYTES, 'group id');
  const keyId = r.fixed(KEY_ID_BYTES, 'key id');
  const epoch = r.varint('epoch');
  const index = r.varint('index');
  const transcriptTag = r.fixed(TRANSCRIPT_TAG_BYTES, 'transcript tag');
  if (r.error !== null) return err({ code: 'malformed', message: r.error });
  const headerEnd = r.position;
  // Smallest ciphertext: a 1-byte padded body plus the tag.
  const ctLength = input.length - headerEnd - SIGNATURE_BYTES;
  if (ctLength < TAG_BYTES + 1) return err({ code: 'malformed', message: 'message shorter than its ciphertext and signature' });
  if (index > MAX_COUNTER) return err({ code: 'malformed', message: 'index out of range' });
  return ok({
    header: { groupId, keyId, epoch, index, transcriptTag },
    headerBytes: input.slice(0, headerEnd),
    ciphertext: input.slice(headerEnd, headerEnd + ctLength),
    signedBody: input.slice(0, headerEnd + ctLength),
    signature: input.slice(headerEnd + ctLength),
  });
}

export function encodeGroupEnvelope(e: GroupEnvelope): Uint8Array {
  if (e.to.length !== MEMBER_TAG_BYTES || e.from.length !== MEMBER_TAG_BYTES) throw new RangeError('member tags must be 8 bytes');
  if (e.inner.length === 0) throw new RangeError('empty inner message');
  return concatBytes(Uint8Array.of(groupTypeByte('group-envelope')), e.to, e.from, e.inner);
}

/** Splits an envelope; the inner message is decoded by the pairwise layer (decodeWireMessage / receive). */
export function decodeGroupEnvelope(input: Uint8Array): Result<GroupEnvelope, GroupWireError> {
  const bad = checkFirst(input, GROUP_WIRE_TYPES['group-envelope']);
  if (bad) return err(bad);
  const r = new Reader(input, 1);
  const to = r.fixed(MEMBER_TAG_BYTES, 'recipient tag');
  const from = r.fixed(MEMBER_TAG_BYTES, 'sender tag');
  if (r.error !== null || r.remaining === 0) return err({ code: 'malformed', message: r.error ?? 'no inner message' });
  return ok({ to, from, inner: r.rest() });
}
