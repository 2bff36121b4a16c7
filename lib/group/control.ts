// Group control payloads: carried inside the pairwise Double Ratchet sessions (padded content type
// 'group-control'), so the pairwise session authenticates who sent them. The decoder treats its
// input as hostile: typed errors, exact lengths, bounded counts.
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.ts';
import { lpString } from '../protocol/bytes.ts';
import { MAX_CONTEXT_STRING_BYTES, PROTOCOL_VERSION } from '../protocol/constants.ts';
import { err, ok, type Result } from '../result.ts';
import { encodeVarint } from '../protocol/wire.ts';
import { GROUP_ID_BYTES, MAX_COMMIT_OPS, MAX_GROUP_MEMBERS, MAX_HANDLE_BYTES } from './constants.ts';
import { Reader } from './reader.ts';
import type { Member, MembershipOp } from './roster.ts';

export const CONTROL_KINDS = { welcome: 0x1, commit: 0x2, 'sender-key': 0x3, 'key-request': 0x4, leave: 0x5 } as const;
export type ControlKind = keyof typeof CONTROL_KINDS;

export type ControlPayload =
  | {
      readonly kind: 'welcome';
      readonly groupId: Uint8Array;
      readonly site: string;
      readonly conversationId: string;
      readonly owner: Uint8Array;
      readonly epoch: number;
      /** th_{epoch-1}: the joiner computes th_epoch from it and the roster. */
      readonly previousTranscript: Uint8Array;
      /** Epoch of the last removal (0 = none): chains older than it were readable by a removed member. */
      readonly lastRemovalEpoch: number;
      readonly members: readonly Member[];
    }
  | {
      readonly kind: 'commit';
      readonly groupId: Uint8Array;
      /** The new epoch (parent epoch + 1). */
      readonly epoch: number;
      readonly parentTranscript: Uint8Array;
      readonly ops: readonly MembershipOp[];
    }
  | {
      readonly kind: 'sender-key';
      readonly groupId: Uint8Array;
      /** The member the chain belongs to; must be the pairwise session's peer. */
      readonly owner: Uint8Array;
      /** Epoch the chain was created in. */
      readonly chainEpoch: number;
      readonly signPublic: Uint8Array;
      readonly chainKey: Uint8Array;
      /** Index of the chain key: the receiver can read messages from this index on. */
      readonly index: number;
      /** Signature by the signing key over (label, groupId, owner, signPublic): the holder hands it out as owner's. */
      readonly proof: Uint8Array;
    }
  | { readonly kind: 'key-request'; readonly groupId: Uint8Array; readonly epoch: number }
  | { readonly kind: 'leave'; readonly groupId: Uint8Array; readonly epoch: number };

export interface ControlError {
  readonly code: 'empty' | 'unsupported-version' | 'unknown-kind' | 'malformed';
  readonly message: string;
}

const OP_ADD = 1;
const OP_REMOVE = 2;

function head(kind: ControlKind, groupId: Uint8Array): Uint8Array {
  if (groupId.length !== GROUP_ID_BYTES) throw new RangeError('group id must be 8 bytes');
  return concatBytes(Uint8Array.of((PROTOCOL_VERSION << 4) | CONTROL_KINDS[kind]), groupId);
}

function key32(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 32) throw new RangeError('keys must be 32 bytes');
  return bytes;
}

function sig64(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 64) throw new RangeError('signatures must be 64 bytes');
  return bytes;
}

function handleBytes(handle: string | null): Uint8Array {
  return handle === null ? Uint8Array.of(0) : concatBytes(Uint8Array.of(1), lpString(handle));
}

/** Encodes a payload this side built (throws RangeError only on programmer error). */
export function encodeControl(p: ControlPayload): Uint8Array {
  switch (p.kind) {
    case 'welcome':
      if (p.members.length > MAX_GROUP_MEMBERS) throw new RangeError('too many members');
      return concatBytes(
        head('welcome', p.groupId),
        lpString(p.site),
        lpString(p.conversationId),
        key32(p.owner),
        encodeVarint(p.epoch),
        key32(p.previousTranscript),
        encodeVarint(p.lastRemovalEpoch),
        encodeVarint(p.members.length),
        ...p.members.map((m) => concatBytes(key32(hexToBytes(m.identity)), handleBytes(m.handle))),
      );
    case 'commit':
      if (p.ops.length > MAX_COMMIT_OPS) throw new RangeError('too many ops');
      return concatBytes(
        head('commit', p.groupId),
        encodeVarint(p.epoch),
        key32(p.parentTranscript),
        encodeVarint(p.ops.length),
        ...p.ops.map((o) =>
          o.op === 'add'
            ? concatBytes(Uint8Array.of(OP_ADD), key32(hexToBytes(o.identity)), handleBytes(o.handle))
            : concatBytes(Uint8Array.of(OP_REMOVE), key32(hexToBytes(o.identity))),
        ),
      );
    case 'sender-key':
      return concatBytes(
        head('sender-key', p.groupId),
        key32(p.owner),
        encodeVarint(p.chainEpoch),
        key32(p.signPublic),
        key32(p.chainKey),
        encodeVarint(p.index),
        sig64(p.proof),
      );
    case 'key-request':
    case 'leave':
      return concatBytes(head(p.kind, p.groupId), encodeVarint(p.epoch));
  }
}

function readHandle(r: Reader): string | null {
  const flag = r.byte('handle flag');
  if (flag === 0) return null;
  if (flag !== 1) {
    r.reject('handle flag must be 0 or 1');
    return null;
  }
  const h = r.string(MAX_HANDLE_BYTES, 'handle');
  if (h.length === 0) r.reject('an empty handle');
  return h;
}

function readCount(r: Reader, max: number, what: string): number {
  const n = r.varint(what);
  if (n > max) {
    r.reject(`${what} over ${max}`);
    return 0;
  }
  return n;
}

export function decodeControl(input: Uint8Array): Result<ControlPayload, ControlError> {
  if (!(input instanceof Uint8Array) || input.length === 0) return err({ code: 'empty', message: 'no bytes' });
  const first = input[0] as number;
  if (first >> 4 !== PROTOCOL_VERSION) return err({ code: 'unsupported-version', message: `version ${first >> 4} is not supported` });
  const kind = (Object.keys(CONTROL_KINDS) as ControlKind[]).find((k) => CONTROL_KINDS[k] === (first & 0x0f));
  if (kind === undefined) return err({ code: 'unknown-kind', message: `control kind ${first & 0x0f} is unknown` });
  const r = new Reader(input, 1);
  const groupId = r.fixed(GROUP_ID_BYTES, 'group id');
  let payload: ControlPayload;
  switch (kind) {
    case 'welcome': {
      const site = r.string(MAX_CONTEXT_STRING_BYTES, 'site');
      const conversationId = r.string(MAX_CONTEXT_STRING_BYTES, 'conversation id');
      const owner = r.fixed(32, 'owner');
      const epoch = r.varint('epoch');
      const previousTranscript = r.fixed(32, 'previous transcript');
      const lastRemovalEpoch = r.varint('last removal epoch');
      const count = readCount(r, MAX_GROUP_MEMBERS, 'member count');
      const members: Member[] = [];
      for (let i = 0; i < count && r.error === null; i++) {
        const identity = bytesToHex(r.fixed(32, 'member identity'));
        members.push({ identity, handle: readHandle(r) });
      }
      payload = { kind, groupId, site, conversationId, owner, epoch, previousTranscript, lastRemovalEpoch, members };
      break;
    }
    case 'commit': {
      const epoch = r.varint('epoch');
      const parentTranscript = r.fixed(32, 'parent transcript');
      const count = readCount(r, MAX_COMMIT_OPS, 'op count');
      const ops: MembershipOp[] = [];
      for (let i = 0; i < count && r.error === null; i++) {
        const op = r.byte('op');
        const identity = bytesToHex(r.fixed(32, 'op identity'));
        if (op === OP_ADD) ops.push({ op: 'add', identity, handle: readHandle(r) });
        else if (op === OP_REMOVE) ops.push({ op: 'remove', identity });
        else r.reject(`op ${op} is unknown`);
      }
      payload = { kind, groupId, epoch, parentTranscript, ops };
      break;
    }
    case 'sender-key': {
      const owner = r.fixed(32, 'owner');
      const chainEpoch = r.varint('chain epoch');
      const signPublic = r.fixed(32, 'signing key');
      const chainKey = r.fixed(32, 'chain key');
      const index = r.varint('index');
      const proof = r.fixed(64, 'possession proof');
      payload = { kind, groupId, owner, chainEpoch, signPublic, chainKey, index, proof };
      break;
    }
    case 'key-request':
    case 'leave':
      payload = { kind, groupId, epoch: r.varint('epoch') };
      break;
  }
  r.end(kind);
  if (r.error !== null) return err({ code: 'malformed', message: r.error });
  return ok(payload);
}
