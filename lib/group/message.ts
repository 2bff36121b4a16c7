// Group messages: encrypted once with the sender's chain, signed with the chain's Ed25519 key.
// The author comes from the signature (checked against the key the member handed us over our
// pairwise session), never from the page. Every failure leaves the caller's state untouched.
import { bytesToHex, concatBytes, decodeUtf8, hexToBytes, utf8ToBytes } from '../bytes.ts';
import { MAX_PLAINTEXT_BYTES } from '../protocol/constants.ts';
import { pad, unpad } from '../protocol/padding.ts';
import { ok, type Result } from '../result.ts';
import { MAX_COUNTER, encodeVarint } from '../protocol/wire.ts';
import { chainStep, groupOpen, groupSeal } from './chain.ts';
import {
  GROUP_SKIPPED_KEY_TTL_MS,
  KEY_ID_BYTES,
  MAX_GROUP_JUMP,
  MAX_RECENT_DIGESTS,
  MAX_SKIPPED_PER_CHAIN,
  MAX_SKIPPED_PER_GROUP,
  REFERENCE_DIGEST_BYTES,
  TRANSCRIPT_TAG_BYTES,
} from './constants.ts';
import { groupFail, type GroupError } from './errors.ts';
import type { GroupEvent } from './events.ts';
import { checkReference, overdueReferences, rememberDigest, settleReferences } from './history.ts';
import { referenceDigest, signGroupMessage, verifyGroupMessage } from './keys.ts';
import { Reader } from './reader.ts';
import type { GroupState, MessageRef, SenderChain, SkippedGroupKey } from './state.ts';
import { decodeGroupMessage, encodeGroupHeader, type GroupMessageWire } from './wire.ts';

/** Body (inside the padding): 0x00 | 0x01 keyId(8) varint index digest(8), then UTF-8 text. */
export function encodeGroupBody(ref: MessageRef | null, text: string): Uint8Array {
  const head =
    ref === null
      ? Uint8Array.of(0)
      : concatBytes(Uint8Array.of(1), hexToBytes(ref.keyId), encodeVarint(ref.index), hexToBytes(ref.digest));
  return concatBytes(head, utf8ToBytes(text));
}

export function decodeGroupBody(content: Uint8Array): { ref: MessageRef | null; text: string } | null {
  const r = new Reader(content);
  const flag = r.byte('reference flag');
  let ref: MessageRef | null = null;
  if (flag === 1) {
    const keyId = bytesToHex(r.fixed(KEY_ID_BYTES, 'reference key id'));
    const index = r.varint('reference index');
    ref = { keyId, index, digest: bytesToHex(r.fixed(REFERENCE_DIGEST_BYTES, 'reference digest')) };
  } else if (flag !== 0) {
    r.reject('bad reference flag');
  }
  const text = decodeUtf8(r.rest());
  if (r.error !== null || text === null) return null;
  return { ref, text };
}

function associatedData(transcript: Uint8Array, author: Uint8Array, headerBytes: Uint8Array): Uint8Array {
  return concatBytes(transcript, author, headerBytes);
}

/** Encrypts a text for the group. Persist the returned state before the wire bytes leave. */
export function encryptGroupMessage(state: GroupState, text: string): Result<{ state: GroupState; wire: Uint8Array }, GroupError> {
  const own = state.own;
  if (state.status !== 'active' || own === null) return groupFail('not-active', 'accept the group before sending to it');
  if (own.next >= MAX_COUNTER) return groupFail('counter-exhausted', 'sending chain exhausted', 'rotate');
  const body = encodeGroupBody(state.lastReceived, text);
  if (body.length > MAX_PLAINTEXT_BYTES) return groupFail('too-long', 'message too long');
  const padded = pad(body, 'group-text');
  if (!padded.ok) return groupFail('too-long', padded.error.message);
  const transcript = hexToBytes(state.transcript);
  const self = hexToBytes(state.self);
  const headerBytes = encodeGroupHeader({
    groupId: hexToBytes(state.groupId),
    keyId: hexToBytes(own.keyId),
    epoch: state.epoch,
    index: own.next,
    transcriptTag: transcript.slice(0, TRANSCRIPT_TAG_BYTES),
  });
  const step = chainStep(hexToBytes(own.chainKey));
  const ciphertext = groupSeal(step.messageKey, padded.value, associatedData(transcript, self, headerBytes));
  const signedBody = concatBytes(headerBytes, ciphertext);
  const wire = concatBytes(signedBody, signGroupMessage(hexToBytes(own.signSecret), { transcript, author: self, body: signedBody }));
  const sent = rememberDigest(own.sent, own.next, bytesToHex(referenceDigest(wire))).slice(-MAX_RECENT_DIGESTS);
  return ok({ state: { ...state, own: { ...own, chainKey: bytesToHex(step.chainKey), next: own.next + 1, sent } }, wire });
}

function transcriptAt(state: GroupState, epoch: number): string | null {
  if (epoch === state.epoch) return state.transcript;
  return state.pastTranscripts.find((t) => t.epoch === epoch)?.transcript ?? null;
}

/** Drops expired skipped keys and, over the group bound, the oldest; raises dropBelow to match. */
function pruneSkipped(chains: SenderChain[], now: number): SenderChain[] {
  const all: Array<{ c: number; k: SkippedGroupKey }> = [];
  chains.forEach((chain, c) => chain.skipped.forEach((k) => all.push({ c, k })));
  const live = all.filter((x) => now - x.k.at <= GROUP_SKIPPED_KEY_TTL_MS);
  live.sort((a, b) => a.k.at - b.k.at || a.k.index - b.k.index);
  const kept = new Set(live.slice(Math.max(0, live.length - MAX_SKIPPED_PER_GROUP)).map((x) => x.k));
  if (kept.size === all.length) return chains;
  return chains.map((chain) => {
    const dropped = chain.skipped.filter((k) => !kept.has(k));
    if (dropped.length === 0) return chain;
    const dropBelow = Math.max(chain.dropBelow, ...dropped.map((k) => k.index + 1));
    return { ...chain, skipped: chain.skipped.filter((k) => kept.has(k)), dropBelow };
  });
}

type Keyed = { chain: SenderChain; messageKey: Uint8Array };

/** Message key for `index` on `chain`, and the chain as it is once that key is used. */
function messageKeyFor(chain: SenderChain, index: number, now: number): Result<Keyed, GroupError> {
  if (index < chain.next) {
    const k = chain.skipped.find((s) => s.index === index);
    if (k) return ok({ chain: { ...chain, skipped: chain.skipped.filter((s) => s !== k) }, messageKey: hexToBytes(k.mk) });
    if (index >= chain.dropBelow) return groupFail('duplicate', 'this message was already read');
    return groupFail('key-dropped', 'this message came too late: its key is no longer kept (or it was already read)');
  }
  if (index - chain.next > MAX_GROUP_JUMP) return groupFail('too-far-ahead', `message is more than ${MAX_GROUP_JUMP} ahead of its chain`);
  let ck: Uint8Array = hexToBytes(chain.chainKey);
  const stored: SkippedGroupKey[] = [];
  const keepFrom = index - MAX_SKIPPED_PER_CHAIN;
  for (let i = chain.next; i < index; i++) {
    const s = chainStep(ck);
    if (i >= keepFrom) stored.push({ index: i, mk: bytesToHex(s.messageKey), at: now });
    ck = s.chainKey;
  }
  const s = chainStep(ck);
  let skipped = [...chain.skipped, ...stored];
  let dropBelow = chain.dropBelow;
  if (keepFrom > chain.next) dropBelow = Math.max(dropBelow, keepFrom);
  if (skipped.length > MAX_SKIPPED_PER_CHAIN) {
    const cut = skipped.slice(0, skipped.length - MAX_SKIPPED_PER_CHAIN);
    dropBelow = Math.max(dropBelow, ...cut.map((k) => k.index + 1));
    skipped = skipped.slice(-MAX_SKIPPED_PER_CHAIN);
  }
  return ok({ chain: { ...chain, chainKey: bytesToHex(s.chainKey), next: index + 1, skipped, dropBelow }, messageKey: s.messageKey });
}

function unreadable(state: GroupState, chain: SenderChain | null): { state: GroupState; events: GroupEvent[] } {
  const beforeJoin = chain === null || chain.epoch < state.joinedAt;
  return { state, events: [{ type: 'unreadable-earlier', reason: beforeJoin ? 'before-join' : 'before-key', member: chain?.owner ?? null }] };
}

function verifyWith(state: GroupState, chain: SenderChain, msg: GroupMessageWire): Result<Uint8Array, GroupError> {
  const { header } = msg;
  if (header.epoch > state.epoch) return groupFail('future-epoch', 'the sender is at a later membership epoch', 'wait');
  if (header.epoch < chain.epoch) return groupFail('bad-epoch', 'a chain cannot send before it was created');
  if (header.epoch < state.joinedAt) return groupFail('bad-epoch', 'a readable message from before we joined');
  const th = transcriptAt(state, header.epoch);
  if (th === null) return groupFail('old-epoch', 'the membership of that epoch is no longer kept');
  const transcript = hexToBytes(th);
  if (bytesToHex(header.transcriptTag) !== th.slice(0, TRANSCRIPT_TAG_BYTES * 2)) {
    return groupFail('membership-fork', 'the sender sees a different member list than we do for this epoch');
  }
  if (!verifyGroupMessage({ publicKey: hexToBytes(chain.signPublic), signature: msg.signature }, { transcript, author: hexToBytes(chain.owner), body: msg.signedBody })) {
    return groupFail('bad-signature', 'the signature does not verify');
  }
  return ok(transcript);
}

/**
 * Decrypts one group message. `now` is the caller's clock (ms): skipped-key expiry and the grace of
 * history references. 'duplicate' and 'own-message' are normal on chat sites (re-rendered history):
 * show the cached plaintext. Messages from before we joined are not errors: an
 * 'unreadable-earlier' event, state unchanged.
 */
export function decryptGroupMessage(
  state: GroupState,
  wire: Uint8Array,
  now: number,
): Result<{ state: GroupState; events: GroupEvent[] }, GroupError> {
  const decoded = decodeGroupMessage(wire);
  if (!decoded.ok) return groupFail('malformed', decoded.error.message);
  const msg = decoded.value;
  const { header } = msg;
  if (bytesToHex(header.groupId) !== state.groupId) return groupFail('wrong-group', 'this message is for another group');
  if (state.status === 'removed' || state.status === 'left') return groupFail('not-active', 'we are no longer in this group');
  const keyId = bytesToHex(header.keyId);
  if (state.own?.keyId === keyId || state.ownPastKeyIds.includes(keyId)) return groupFail('own-message', 'one of our own messages');
  const candidates = state.chains.filter((c) => c.keyId === keyId);
  if (candidates.length === 0) {
    if (header.epoch < state.joinedAt) return ok(unreadable(state, null));
    if (header.epoch > state.epoch) return groupFail('future-epoch', 'the sender is at a later membership epoch', 'wait');
    if (state.retiredKeyIds.includes(keyId)) return groupFail('key-dropped', 'the sender key of this message was retired');
    return groupFail('unknown-sender-key', 'the sender key of this message has not reached us', 'wait');
  }
  let failure: { ok: false; error: GroupError } | null = null;
  for (const chain of candidates) {
    if (header.index < chain.firstIndex) return ok(unreadable(state, chain));
    const verified = verifyWith(state, chain, msg);
    if (!verified.ok) {
      failure ??= verified;
      continue;
    }
    const keyed = messageKeyFor(chain, header.index, now);
    if (!keyed.ok) return keyed;
    const padded = groupOpen(keyed.value.messageKey, msg.ciphertext, associatedData(verified.value, hexToBytes(chain.owner), msg.headerBytes));
    // Signed but not decryptable: the sender encrypted with a key its chain does not give.
    if (padded === null) return groupFail('undecryptable', 'a signed message that does not decrypt');
    const un = unpad(padded);
    if (!un.ok || un.value.type !== 'group-text') return groupFail('bad-content', 'not a group message body');
    const body = decodeGroupBody(un.value.content);
    if (body === null) return groupFail('bad-content', 'the message body is malformed');
    return ok(accept(state, { before: chain, used: keyed.value.chain, index: header.index, epoch: header.epoch, wire, body, now }));
  }
  return failure ?? groupFail('bad-signature', 'no sender key verifies this message');
}

/** A message that decrypted and verified: the chain as it was and as it is after reading it. */
interface Accepted {
  before: SenderChain;
  used: SenderChain;
  index: number;
  epoch: number;
  wire: Uint8Array;
  body: { ref: MessageRef | null; text: string };
  now: number;
}

function accept(state: GroupState, { before, used, index, epoch, wire, body, now }: Accepted): { state: GroupState; events: GroupEvent[] } {
  const digest = bytesToHex(referenceDigest(wire));
  const chain: SenderChain = { ...used, seen: rememberDigest(used.seen, index, digest) };
  const here: MessageRef = { keyId: chain.keyId, index, digest };
  let next: GroupState = {
    ...state,
    chains: pruneSkipped(state.chains.map((c) => (c === before ? chain : c)), now),
    lastReceived: here,
  };
  const events: GroupEvent[] = [
    {
      type: 'message',
      member: chain.owner,
      handle: state.members.find((m) => m.identity === chain.owner)?.handle ?? null,
      text: body.text,
      keyId: chain.keyId,
      index,
      epoch,
      readableByRemoved: chain.epoch < state.lastRemovalEpoch,
    },
  ];
  const settled = settleReferences(next, here);
  next = settled.state;
  events.push(...settled.events);
  if (body.ref !== null) {
    const checked = checkReference(next, { ref: body.ref, by: chain.owner, now });
    next = checked.state;
    events.push(...checked.events);
  }
  const overdue = overdueReferences(next, now);
  events.push(...overdue.events);
  return { state: overdue.state, events };
}
