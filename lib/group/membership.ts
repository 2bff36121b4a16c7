// Group membership and key distribution as pure functions: (state, input) → (state, outgoing
// control payloads, events). Control payloads travel inside the pairwise sessions, which
// authenticate `from`. Every error leaves the caller's state untouched.
import { bytesToHex, hexToBytes, utf8ToBytes } from '../bytes.ts';
import { MAX_CONTEXT_STRING_BYTES } from '../protocol/constants.ts';
import { defaultRng } from '../protocol/primitives.ts';
import { ok, type Result } from '../result.ts';
import type { Rng } from '../protocol/primitives.ts';
import {
  GROUP_ID_BYTES,
  GROUP_STATE_FORMAT_VERSION,
  MAX_CHAINS_PER_MEMBER,
  MAX_OWN_PAST_KEY_IDS,
  MAX_PAST_TRANSCRIPTS,
  MAX_PENDING_CONTROL,
  MAX_RETIRED_KEY_IDS,
} from './constants.ts';
import { decodeControl, encodeControl, type ControlPayload } from './control.ts';
import { groupFail, type GroupError } from './errors.ts';
import type { GroupEvent, GroupOutgoing, GroupResult } from './events.ts';
import { generateSigningKey, isValidSigningKey, proveKeyPossession, senderKeyId, verifyKeyPossession } from './keys.ts';
import {
  INITIAL_TRANSCRIPT,
  applyOps,
  isMember,
  nextTranscript,
  rosterHash,
  rosterProblem,
  sortMembers,
  type Member,
  type MembershipOp,
} from './roster.ts';
import type { GroupState, OwnChain, SenderChain } from './state.ts';

type R = Result<GroupResult, GroupError>;

export interface GroupSite {
  readonly site: string;
  readonly conversationId: string;
}

function siteProblem(ctx: GroupSite): string | null {
  for (const key of ['site', 'conversationId'] as const) {
    const v: unknown = ctx[key];
    if (typeof v !== 'string' || v.length === 0) return `${key} must be a non-empty string`;
    if (utf8ToBytes(v).length > MAX_CONTEXT_STRING_BYTES) return `${key} is too long`;
  }
  return null;
}

function rosterOf(state: Pick<GroupState, 'groupId' | 'site' | 'conversationId' | 'owner'>, members: readonly Member[]): Uint8Array {
  return rosterHash(
    { groupId: hexToBytes(state.groupId), site: state.site, conversationId: state.conversationId, owner: hexToBytes(state.owner) },
    members,
  );
}

function newOwnChain({ groupId, self, epoch }: { groupId: string; self: string; epoch: number }, rng: Rng): OwnChain {
  const sign = generateSigningKey(rng);
  const chainKey = rng(32);
  if (chainKey.length !== 32) throw new RangeError('rng returned wrong length');
  return {
    keyId: bytesToHex(senderKeyId(hexToBytes(groupId), hexToBytes(self), sign.publicKey)),
    signSecret: bytesToHex(sign.secretKey),
    signPublic: bytesToHex(sign.publicKey),
    chainKey: bytesToHex(chainKey),
    next: 0,
    epoch,
    sent: [],
  };
}

function senderKeyPayload(state: GroupState, own: OwnChain): Uint8Array {
  return encodeControl({
    kind: 'sender-key',
    groupId: hexToBytes(state.groupId),
    owner: hexToBytes(state.self),
    chainEpoch: own.epoch,
    signPublic: hexToBytes(own.signPublic),
    chainKey: hexToBytes(own.chainKey),
    index: own.next,
    proof: proveKeyPossession(hexToBytes(own.signSecret), { groupId: hexToBytes(state.groupId), owner: hexToBytes(state.self), signPublic: hexToBytes(own.signPublic) }),
  });
}

function others(state: GroupState, members: readonly Member[] = state.members): string[] {
  return members.map((m) => m.identity).filter((id) => id !== state.self);
}

function distribute(state: GroupState, to: readonly string[]): GroupOutgoing[] {
  if (state.own === null || to.length === 0) return [];
  const payload = senderKeyPayload(state, state.own);
  return to.map((id) => ({ to: id, payload }));
}

function remember<T>(list: readonly T[], items: readonly T[], max: number): T[] {
  return [...list, ...items].slice(-max);
}

// ──────────────────────────────────────────────────────────────────────────── creation

export interface NewMember {
  /** Identity key of the member (the peer identity of our pairwise session with them). */
  readonly identity: Uint8Array;
  readonly handle: string | null;
}

/**
 * Creates a group owned by `self`, at epoch 0, with our sending chain. Outgoing: for every other
 * member a welcome, then our sender key (send in that order on each pairwise session).
 */
export function createGroup({
  site: ctx,
  self,
  members,
  rng = defaultRng,
}: {
  site: GroupSite;
  self: { identity: Uint8Array; handle: string | null };
  members: readonly NewMember[];
  rng?: Rng;
}): R {
  const problem = siteProblem(ctx);
  if (problem) return groupFail('bad-context', problem);
  const selfHex = bytesToHex(self.identity);
  const roster = sortMembers([{ identity: selfHex, handle: self.handle }, ...members.map((m) => ({ identity: bytesToHex(m.identity), handle: m.handle }))]);
  const rp = rosterProblem(roster, selfHex, selfHex);
  if (rp) return groupFail('bad-members', rp);
  const groupId = bytesToHex(rng(GROUP_ID_BYTES));
  if (groupId.length !== GROUP_ID_BYTES * 2) throw new RangeError('rng returned wrong length');
  const base = { groupId, site: ctx.site, conversationId: ctx.conversationId, owner: selfHex };
  const transcript = nextTranscript(INITIAL_TRANSCRIPT, 0, rosterOf(base, roster));
  const state: GroupState = {
    v: GROUP_STATE_FORMAT_VERSION,
    kind: 'veil-group',
    ...base,
    self: selfHex,
    status: 'active',
    epoch: 0,
    transcript: bytesToHex(transcript),
    pastTranscripts: [],
    joinedAt: 0,
    lastRemovalEpoch: 0,
    members: roster,
    own: newOwnChain({ groupId, self: selfHex, epoch: 0 }, rng),
    ownPastKeyIds: [],
    chains: [],
    retiredKeyIds: [],
    pending: [],
    lastReceived: null,
    openReferences: [],
  };
  const welcome = welcomePayload(state, INITIAL_TRANSCRIPT);
  const outgoing: GroupOutgoing[] = others(state).map((to) => ({ to, payload: welcome }));
  outgoing.push(...distribute(state, others(state)));
  return ok({ state, outgoing, events: [] });
}

function welcomePayload(state: GroupState, previousTranscript: Uint8Array): Uint8Array {
  return encodeControl({
    kind: 'welcome',
    groupId: hexToBytes(state.groupId),
    site: state.site,
    conversationId: state.conversationId,
    owner: hexToBytes(state.owner),
    epoch: state.epoch,
    previousTranscript,
    lastRemovalEpoch: state.lastRemovalEpoch,
    members: state.members,
  });
}

/** The user accepted the invitation: we create our chain and hand it to every other member. */
export function acceptGroup(state: GroupState, rng: Rng = defaultRng): R {
  if (state.status !== 'invited') return groupFail('not-allowed', `the group is ${state.status}, not waiting for an answer`);
  const accepted: GroupState = { ...state, status: 'active', own: newOwnChain(state, rng) };
  const result: GroupResult = { state: accepted, outgoing: distribute(accepted, others(accepted)), events: [{ type: 'accepted', groupId: state.groupId }] };
  return ok(drainPending(result, rng));
}

/** Starts a new sending chain (healing after a suspected compromise, a restored backup, or an exhausted counter). */
export function rotateSenderKey(state: GroupState, rng: Rng = defaultRng): R {
  if (state.status !== 'active' || state.own === null) return groupFail('not-active', 'we do not send in this group');
  const next: GroupState = {
    ...state,
    own: newOwnChain(state, rng),
    ownPastKeyIds: remember(state.ownPastKeyIds, [state.own.keyId], MAX_OWN_PAST_KEY_IDS),
  };
  return ok({ state: next, outgoing: distribute(next, others(next)), events: [] });
}

/** Asks every member whose chain we lack to send it again (answered with their chain at its current index). */
export function requestSenderKeys(state: GroupState): R {
  if (state.status !== 'active' && state.status !== 'invited') return groupFail('not-active', 'we are not in this group');
  const payload = encodeControl({ kind: 'key-request', groupId: hexToBytes(state.groupId), epoch: state.epoch });
  return ok({ state, outgoing: missingSenderKeys(state).map((to) => ({ to, payload })), events: [] });
}

/** Members we hold no chain for: their messages cannot be read until their sender key arrives. */
export function missingSenderKeys(state: GroupState): string[] {
  return others(state).filter((id) => !state.chains.some((c) => c.owner === id));
}

/** We leave: secrets are wiped at once and every other member is told (the owner then removes us). */
export function leaveGroup(state: GroupState): R {
  if (state.status === 'removed' || state.status === 'left') return groupFail('not-active', 'we are not in this group');
  const payload = encodeControl({ kind: 'leave', groupId: hexToBytes(state.groupId), epoch: state.epoch });
  return ok({ state: wiped(state, 'left'), outgoing: others(state).map((to) => ({ to, payload })), events: [] });
}

function wiped(state: GroupState, status: 'removed' | 'left'): GroupState {
  return { ...state, status, own: null, chains: [], pending: [], lastReceived: null, openReferences: [] };
}

// ──────────────────────────────────────────────────────────────────────────── commits

/** A validated commit: the new epoch, its operations, and the membership they give. */
interface Commit {
  epoch: number;
  ops: readonly MembershipOp[];
  members: Member[];
}

/** Applies a validated commit to the state (owner and members alike). */
function applyCommit(state: GroupState, { epoch, ops, members }: Commit, rng: Rng): GroupResult {
  const removed = ops.filter((o) => o.op === 'remove').map((o) => o.identity);
  const added = ops.filter((o) => o.op === 'add').map((o) => o.identity);
  if (removed.includes(state.self)) {
    return { state: { ...wiped(state, 'removed'), epoch, members }, outgoing: [], events: [{ type: 'removed', epoch }] };
  }
  const transcript = nextTranscript(hexToBytes(state.transcript), epoch, rosterOf(state, members));
  const dropped = state.chains.filter((c) => removed.includes(c.owner));
  let next: GroupState = {
    ...state,
    epoch,
    members,
    transcript: bytesToHex(transcript),
    pastTranscripts: remember(state.pastTranscripts, [{ epoch: state.epoch, transcript: state.transcript }], MAX_PAST_TRANSCRIPTS),
    lastRemovalEpoch: removed.length > 0 ? epoch : state.lastRemovalEpoch,
    chains: state.chains.filter((c) => !removed.includes(c.owner)),
    retiredKeyIds: remember(state.retiredKeyIds, dropped.map((c) => c.keyId), MAX_RETIRED_KEY_IDS),
    openReferences: state.openReferences.filter((r) => !removed.includes(r.by)),
  };
  let outgoing: GroupOutgoing[] = [];
  if (next.own !== null && removed.length > 0) {
    // Every remaining sender rotates, so the removed member cannot read what comes next.
    next = {
      ...next,
      own: newOwnChain({ groupId: next.groupId, self: next.self, epoch }, rng),
      ownPastKeyIds: remember(next.ownPastKeyIds, [next.own.keyId], MAX_OWN_PAST_KEY_IDS),
    };
    outgoing = distribute(next, others(next));
  } else if (next.own !== null) {
    // New members get our chain at its current index: they cannot read what we sent before.
    outgoing = distribute(next, added.filter((id) => id !== next.self));
  }
  return { state: next, outgoing, events: [{ type: 'epoch', epoch, added, removed }] };
}

/**
 * The owner changes the membership (adds and removes in one commit, one new epoch). Outgoing: the
 * commit to every previous member (removed ones included, so they know), a welcome to each added
 * member, and our sender key (rotated after a removal).
 */
export function commitMembership(state: GroupState, ops: readonly MembershipOp[], rng: Rng = defaultRng): R {
  if (state.self !== state.owner) return groupFail('not-owner', 'only the group owner changes the membership');
  if (state.status !== 'active') return groupFail('not-active', 'the group is not active');
  const applied = applyOps(state.members, state.owner, ops);
  if ('problem' in applied) return groupFail('bad-commit', applied.problem);
  const epoch = state.epoch + 1;
  const commit = encodeControl({ kind: 'commit', groupId: hexToBytes(state.groupId), epoch, parentTranscript: hexToBytes(state.transcript), ops });
  const result = applyCommit(state, { epoch, ops, members: applied.members }, rng);
  const added = ops.filter((o) => o.op === 'add').map((o) => o.identity);
  const welcome = welcomePayload(result.state, hexToBytes(state.transcript));
  const outgoing: GroupOutgoing[] = [
    ...others(state).map((to) => ({ to, payload: commit })),
    ...added.map((to) => ({ to, payload: welcome })),
    ...result.outgoing,
  ];
  return ok({ ...result, outgoing });
}

export function addMembers(state: GroupState, members: readonly NewMember[], rng: Rng = defaultRng): R {
  return commitMembership(state, members.map((m) => ({ op: 'add', identity: bytesToHex(m.identity), handle: m.handle })), rng);
}

export function removeMembers(state: GroupState, identities: readonly Uint8Array[], rng: Rng = defaultRng): R {
  return commitMembership(state, identities.map((id) => ({ op: 'remove', identity: bytesToHex(id) })), rng);
}

// ──────────────────────────────────────────────────────────────────────────── receiving control

/** One control payload being handled: who sent it (hex identity), its bytes, where and when. */
interface Control {
  self: string;
  from: string;
  raw: Uint8Array;
  site: GroupSite;
  now: number;
  rng: Rng;
}

/** Keeps a payload for a later epoch until the group gets there. */
function hold(state: GroupState, { from, raw, now }: Control, waiting: { kind: string; epoch: number }): GroupResult {
  const { kind, epoch } = waiting;
  const entry = { from, payload: bytesToHex(raw), at: now };
  const pending = [...state.pending.filter((p) => p.payload !== entry.payload || p.from !== from), entry];
  const events: GroupEvent[] = [{ type: 'held', kind, epoch }];
  // Bounded: the oldest waiting payloads give way, and the caller hears about each one.
  const over = pending.length - MAX_PENDING_CONTROL;
  for (const p of pending.slice(0, Math.max(0, over))) events.push({ type: 'pending-failed', from: p.from, code: 'future-epoch' });
  return { state: { ...state, pending: pending.slice(Math.max(0, over)) }, outgoing: [], events };
}

function onWelcome(state: GroupState | null, { self, from, site }: Control, p: Extract<ControlPayload, { kind: 'welcome' }>): R {
  const groupId = bytesToHex(p.groupId);
  if (state !== null && (state.status === 'active' || state.status === 'invited')) {
    return groupFail('duplicate-welcome', 'we are already in this group');
  }
  if (bytesToHex(p.owner) !== from) return groupFail('wrong-sender', 'a welcome must come from the group owner');
  if (p.site !== site.site || p.conversationId !== site.conversationId) {
    return groupFail('wrong-context', 'this welcome is for another conversation');
  }
  const rp = rosterProblem(p.members, from, self);
  if (rp) return groupFail('bad-members', rp);
  if (p.lastRemovalEpoch > p.epoch) return groupFail('malformed', 'last removal after the current epoch');
  const members = sortMembers(p.members);
  const base = { groupId, site: p.site, conversationId: p.conversationId, owner: from };
  const transcript = nextTranscript(p.previousTranscript, p.epoch, rosterOf(base, members));
  const next: GroupState = {
    v: GROUP_STATE_FORMAT_VERSION,
    kind: 'veil-group',
    ...base,
    self,
    status: 'invited',
    epoch: p.epoch,
    transcript: bytesToHex(transcript),
    pastTranscripts: [],
    joinedAt: p.epoch,
    lastRemovalEpoch: p.lastRemovalEpoch,
    members,
    own: null,
    ownPastKeyIds: [],
    chains: [],
    retiredKeyIds: [],
    pending: [],
    lastReceived: null,
    openReferences: [],
  };
  return ok({ state: next, outgoing: [], events: [{ type: 'invited', groupId, owner: from, members, epoch: p.epoch }] });
}

function onCommit(state: GroupState, c: Control, p: Extract<ControlPayload, { kind: 'commit' }>): R {
  if (c.from !== state.owner) return groupFail('not-owner', 'a commit must come from the group owner');
  if (p.epoch <= state.epoch) return groupFail('stale-commit', `commit for epoch ${p.epoch}, we are at ${state.epoch}`);
  if (p.epoch > state.epoch + 1) return ok(hold(state, c, { kind: 'commit', epoch: p.epoch }));
  if (bytesToHex(p.parentTranscript) !== state.transcript) {
    return groupFail('fork', 'the owner committed on a different membership history than ours');
  }
  const applied = applyOps(state.members, state.owner, p.ops);
  if ('problem' in applied) return groupFail('bad-commit', applied.problem);
  return ok(applyCommit(state, { epoch: p.epoch, ops: p.ops, members: applied.members }, c.rng));
}

function addChain(state: GroupState, chain: SenderChain): GroupState {
  const mine = [...state.chains.filter((c) => c.owner === chain.owner), chain].sort((a, b) => a.epoch - b.epoch);
  const dropped = mine.slice(0, Math.max(0, mine.length - MAX_CHAINS_PER_MEMBER));
  return {
    ...state,
    chains: [...state.chains, chain].filter((c) => !dropped.includes(c)),
    retiredKeyIds: remember(state.retiredKeyIds, dropped.map((c) => c.keyId), MAX_RETIRED_KEY_IDS),
  };
}

function onSenderKey(state: GroupState, c: Control, p: Extract<ControlPayload, { kind: 'sender-key' }>): R {
  const { from } = c;
  if (bytesToHex(p.owner) !== from) return groupFail('wrong-sender', 'a sender key must come from the member it belongs to');
  if (from === state.self) return groupFail('own-key', 'a sender key claiming to be ours');
  if (!isValidSigningKey(p.signPublic)) return groupFail('bad-key', 'the signing key is not a valid Ed25519 key');
  if (!verifyKeyPossession(p.proof, p)) {
    return groupFail('bad-key-proof', 'the signing key was not handed out by its holder as this member\'s');
  }
  // From a later epoch the sender may be a member we have not heard of yet: judged once we get there.
  if (p.chainEpoch > state.epoch) return ok(hold(state, c, { kind: 'sender-key', epoch: p.chainEpoch }));
  if (!isMember(state.members, from)) return groupFail('not-member', 'a sender key from someone who is not in the group');
  const keyId = bytesToHex(senderKeyId(p.groupId, p.owner, p.signPublic));
  const signPublic = bytesToHex(p.signPublic);
  if (state.chains.some((c) => c.keyId === keyId && c.owner === from)) {
    return groupFail('duplicate-distribution', 'we already have this sender key');
  }
  if (state.retiredKeyIds.includes(keyId)) return groupFail('replayed-distribution', 'this sender key was retired');
  const own = state.own;
  if (
    state.chains.some((c) => c.signPublic === signPublic || c.keyId === keyId) ||
    (own !== null && (own.signPublic === signPublic || own.keyId === keyId))
  ) {
    return groupFail('key-claimed-by-other', 'this signing key already belongs to another member');
  }
  if (state.chains.some((c) => c.owner === from && c.epoch > p.chainEpoch)) {
    return groupFail('stale-distribution', 'we have a newer chain from this member');
  }
  const chain: SenderChain = {
    owner: from,
    keyId,
    signPublic,
    chainKey: bytesToHex(p.chainKey),
    next: p.index,
    firstIndex: p.index,
    epoch: p.chainEpoch,
    skipped: [],
    dropBelow: p.index,
    seen: [],
  };
  return ok({ state: addChain(state, chain), outgoing: [], events: [{ type: 'sender-key', member: from, keyId }] });
}

function onKeyRequest(state: GroupState, from: string): R {
  if (from === state.self || !isMember(state.members, from)) return groupFail('not-member', 'a key request from someone who is not in the group');
  if (state.status !== 'active' || state.own === null) return groupFail('not-active', 'we do not send in this group');
  return ok({ state, outgoing: distribute(state, [from]), events: [{ type: 'key-requested', member: from }] });
}

function onLeave(state: GroupState, from: string, rng: Rng): R {
  if (from === state.self || !isMember(state.members, from)) return groupFail('not-member', 'a leave from someone who is not in the group');
  if (from === state.owner) return ok({ state, outgoing: [], events: [{ type: 'owner-left' }] });
  if (state.self === state.owner && state.status === 'active') {
    const r = commitMembership(state, [{ op: 'remove', identity: from }], rng);
    if (!r.ok) return r;
    return ok({ ...r.value, events: [{ type: 'member-leaving', member: from }, ...r.value.events] });
  }
  return ok({ state, outgoing: [], events: [{ type: 'member-leaving', member: from }] });
}

function handle(state: GroupState | null, c: Control): R {
  const { from, raw, rng } = c;
  const decoded = decodeControl(raw);
  if (!decoded.ok) return groupFail('malformed', decoded.error.message);
  const p = decoded.value;
  if (p.kind === 'welcome' && (state === null || state.groupId === bytesToHex(p.groupId))) return onWelcome(state, c, p);
  if (state === null) return groupFail('unknown-group', 'no group state for this payload yet', 'hold');
  if (bytesToHex(p.groupId) !== state.groupId) return groupFail('wrong-group', 'this payload is for another group');
  if (state.status === 'removed' || state.status === 'left') return groupFail('not-active', 'we are no longer in this group');
  switch (p.kind) {
    case 'welcome':
      return groupFail('duplicate-welcome', 'we are already in this group');
    case 'commit':
      return onCommit(state, c, p);
    case 'sender-key':
      return onSenderKey(state, c, p);
    case 'key-request':
    case 'leave':
      if (p.epoch > state.epoch) return ok(hold(state, c, { kind: p.kind, epoch: p.epoch }));
      return p.kind === 'leave' ? onLeave(state, from, rng) : onKeyRequest(state, from);
  }
}

/** Re-applies held payloads after the epoch moved (or we accepted), until nothing more applies. */
function drainPending(result: GroupResult, rng: Rng): GroupResult {
  let { state } = result;
  const outgoing = [...result.outgoing];
  const events = [...result.events];
  for (let progress = true; progress && state.pending.length > 0; ) {
    progress = false;
    const waiting = state.pending;
    state = { ...state, pending: [] };
    for (const p of waiting) {
      const r = handle(state, { self: state.self, from: p.from, raw: hexToBytes(p.payload), site: state, now: p.at, rng });
      if (!r.ok) {
        events.push({ type: 'pending-failed', from: p.from, code: r.error.code });
        continue;
      }
      const heldAgain = r.value.events.some((e) => e.type === 'held');
      if (!heldAgain) progress = true;
      state = r.value.state;
      outgoing.push(...r.value.outgoing);
      events.push(...r.value.events.filter((e) => e.type !== 'held'));
    }
  }
  return { state, outgoing, events };
}

/** One control payload that arrived on a pairwise session. */
export interface GroupControlInput {
  /** Our identity key. */
  self: Uint8Array;
  /** The identity key of the session's peer (authenticated by that session). */
  from: Uint8Array;
  payload: Uint8Array;
  /** The conversation the payload arrived in: a welcome for another conversation is refused. */
  site: GroupSite;
  now: number;
  rng?: Rng;
}

/**
 * Handles one control payload that arrived on the pairwise session with `from`. `state` is null
 * when we have no state for the group: only a welcome can create one; anything else fails with
 * recovery 'hold'.
 */
export function receiveGroupControl(state: GroupState | null, input: GroupControlInput): R {
  const rng = input.rng ?? defaultRng;
  const r = handle(state, { self: bytesToHex(input.self), from: bytesToHex(input.from), raw: input.payload, site: input.site, now: input.now, rng });
  if (!r.ok) return r;
  const moved = state !== null && r.value.state.epoch !== state.epoch;
  return ok(moved ? drainPending(r.value, rng) : r.value);
}
