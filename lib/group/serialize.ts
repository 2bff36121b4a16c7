// Versioned JSON-safe persistence of a group state, with a validating parser: stored state is read
// back from extension storage and treated as hostile (types, lengths, bounds, cross-field rules).
import { MAX_CONTEXT_STRING_BYTES } from '../protocol/constants.ts';
import { utf8ToBytes } from '../bytes.ts';
import { err, ok, type Result } from '../result.ts';
import { MAX_COUNTER } from '../protocol/wire.ts';
import {
  GROUP_ID_BYTES,
  GROUP_STATE_FORMAT_VERSION,
  KEY_ID_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_OPEN_REFERENCES,
  MAX_OWN_PAST_KEY_IDS,
  MAX_PAST_TRANSCRIPTS,
  MAX_PENDING_CONTROL,
  MAX_RECENT_DIGESTS,
  MAX_RETIRED_KEY_IDS,
  MAX_SKIPPED_PER_CHAIN,
  REFERENCE_DIGEST_BYTES,
} from './constants.ts';
import { handleProblem, sortMembers, type Member } from './roster.ts';
import type { GroupState, GroupStatus, MessageRef, OwnChain, SeenDigest, SenderChain } from './state.ts';

export interface GroupParseError {
  readonly code: 'not-an-object' | 'unsupported-version' | 'invalid-field';
  readonly message: string;
  readonly path?: string;
}

/** A deep JSON-safe copy to store. */
export function serializeGroup(state: GroupState): unknown {
  return JSON.parse(JSON.stringify(state)) as unknown;
}

class Invalid extends Error {
  constructor(readonly path: string) {
    super(`invalid field ${path}`);
  }
}

type Obj = Record<string, unknown>;
const MAX_CONTROL_HEX = 2 * 128 * 1024;
/** Chains: at most MAX_CHAINS_PER_MEMBER per member; the bound here only caps the work. */
const MAX_CHAINS = 3 * MAX_GROUP_MEMBERS;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(path);
  return v as Obj;
}
function hex(v: unknown, bytes: number, path: string): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) throw new Invalid(path);
  return v;
}
function nat(v: unknown, path: string, max = MAX_COUNTER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new Invalid(path);
  return v;
}
function time(v: unknown, path: string): number {
  return nat(v, path, Number.MAX_SAFE_INTEGER);
}
function context(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || utf8ToBytes(v).length > MAX_CONTEXT_STRING_BYTES) throw new Invalid(path);
  return v;
}
function arr<T>(v: unknown, { path, max }: { path: string; max: number }, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v) || v.length > max) throw new Invalid(path);
  return v.map((x, i) => item(x, `${path}.${i}`));
}
function seen(v: unknown, p: string): SeenDigest {
  const o = obj(v, p);
  return { index: nat(o.index, `${p}.index`), digest: hex(o.digest, REFERENCE_DIGEST_BYTES, `${p}.digest`) };
}
function ref(v: unknown, p: string): MessageRef | null {
  if (v === null) return null;
  const o = obj(v, p);
  return { keyId: hex(o.keyId, KEY_ID_BYTES, `${p}.keyId`), index: nat(o.index, `${p}.index`), digest: hex(o.digest, REFERENCE_DIGEST_BYTES, `${p}.digest`) };
}
function member(v: unknown, p: string): Member {
  const o = obj(v, p);
  const handle = o.handle === null ? null : typeof o.handle === 'string' ? o.handle : undefined;
  if (handle === undefined || handleProblem(handle)) throw new Invalid(`${p}.handle`);
  return { identity: hex(o.identity, 32, `${p}.identity`), handle };
}
function ownChain(v: unknown, p: string): OwnChain | null {
  if (v === null) return null;
  const o = obj(v, p);
  return {
    keyId: hex(o.keyId, KEY_ID_BYTES, `${p}.keyId`),
    signSecret: hex(o.signSecret, 32, `${p}.signSecret`),
    signPublic: hex(o.signPublic, 32, `${p}.signPublic`),
    chainKey: hex(o.chainKey, 32, `${p}.chainKey`),
    next: nat(o.next, `${p}.next`),
    epoch: nat(o.epoch, `${p}.epoch`),
    sent: arr(o.sent, { path: `${p}.sent`, max: MAX_RECENT_DIGESTS }, seen),
  };
}
function senderChain(v: unknown, p: string): SenderChain {
  const o = obj(v, p);
  const next = nat(o.next, `${p}.next`);
  const firstIndex = nat(o.firstIndex, `${p}.firstIndex`);
  const dropBelow = nat(o.dropBelow, `${p}.dropBelow`);
  if (firstIndex > next || dropBelow < firstIndex || dropBelow > next) throw new Invalid(`${p}.next`);
  const skipped = arr(o.skipped, { path: `${p}.skipped`, max: MAX_SKIPPED_PER_CHAIN }, (x, q) => {
    const k = obj(x, q);
    const index = nat(k.index, `${q}.index`);
    if (index < dropBelow || index >= next) throw new Invalid(`${q}.index`);
    return { index, mk: hex(k.mk, 32, `${q}.mk`), at: time(k.at, `${q}.at`) };
  });
  return {
    owner: hex(o.owner, 32, `${p}.owner`),
    keyId: hex(o.keyId, KEY_ID_BYTES, `${p}.keyId`),
    signPublic: hex(o.signPublic, 32, `${p}.signPublic`),
    chainKey: hex(o.chainKey, 32, `${p}.chainKey`),
    next,
    firstIndex,
    epoch: nat(o.epoch, `${p}.epoch`),
    skipped,
    dropBelow,
    seen: arr(o.seen, { path: `${p}.seen`, max: MAX_RECENT_DIGESTS }, seen),
  };
}

const STATUSES: readonly GroupStatus[] = ['invited', 'active', 'removed', 'left'];

export function parseGroup(input: unknown): Result<GroupState, GroupParseError> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return err({ code: 'not-an-object', message: 'group state must be an object' });
  }
  const o = input as Obj;
  if (o.v !== GROUP_STATE_FORMAT_VERSION || o.kind !== 'veil-group') {
    return err({ code: 'unsupported-version', message: `unsupported group format ${String(o.v)}` });
  }
  try {
    if (typeof o.status !== 'string' || !(STATUSES as readonly string[]).includes(o.status)) throw new Invalid('status');
    const status = o.status as GroupStatus;
    const epoch = nat(o.epoch, 'epoch');
    const joinedAt = nat(o.joinedAt, 'joinedAt');
    const lastRemovalEpoch = nat(o.lastRemovalEpoch, 'lastRemovalEpoch');
    if (joinedAt > epoch || lastRemovalEpoch > epoch) throw new Invalid('epoch');
    const members = arr(o.members, { path: 'members', max: MAX_GROUP_MEMBERS }, member);
    const self = hex(o.self, 32, 'self');
    const owner = hex(o.owner, 32, 'owner');
    const ids = new Set(members.map((m) => m.identity));
    if (ids.size !== members.length || !ids.has(owner) || (status !== 'removed' && !ids.has(self))) throw new Invalid('members');
    const own = ownChain(o.own, 'own');
    if (own !== null && status !== 'active') throw new Invalid('own');
    const state: GroupState = {
      v: GROUP_STATE_FORMAT_VERSION,
      kind: 'veil-group',
      groupId: hex(o.groupId, GROUP_ID_BYTES, 'groupId'),
      site: context(o.site, 'site'),
      conversationId: context(o.conversationId, 'conversationId'),
      self,
      owner,
      status,
      epoch,
      transcript: hex(o.transcript, 32, 'transcript'),
      pastTranscripts: arr(o.pastTranscripts, { path: 'pastTranscripts', max: MAX_PAST_TRANSCRIPTS }, (x, q) => {
        const t = obj(x, q);
        const e = nat(t.epoch, `${q}.epoch`);
        if (e >= epoch) throw new Invalid(`${q}.epoch`);
        return { epoch: e, transcript: hex(t.transcript, 32, `${q}.transcript`) };
      }),
      joinedAt,
      lastRemovalEpoch,
      members: sortMembers(members),
      own,
      ownPastKeyIds: arr(o.ownPastKeyIds, { path: 'ownPastKeyIds', max: MAX_OWN_PAST_KEY_IDS }, (x, q) => hex(x, KEY_ID_BYTES, q)),
      chains: arr(o.chains, { path: 'chains', max: MAX_CHAINS }, senderChain),
      retiredKeyIds: arr(o.retiredKeyIds, { path: 'retiredKeyIds', max: MAX_RETIRED_KEY_IDS }, (x, q) => hex(x, KEY_ID_BYTES, q)),
      pending: arr(o.pending, { path: 'pending', max: MAX_PENDING_CONTROL }, (x, q) => {
        const pd = obj(x, q);
        const payload = pd.payload;
        if (typeof payload !== 'string' || payload.length === 0 || payload.length > MAX_CONTROL_HEX || payload.length % 2 !== 0 || !/^[0-9a-f]*$/.test(payload)) {
          throw new Invalid(`${q}.payload`);
        }
        return { from: hex(pd.from, 32, `${q}.from`), payload, at: time(pd.at, `${q}.at`) };
      }),
      lastReceived: ref(o.lastReceived, 'lastReceived'),
      openReferences: arr(o.openReferences, { path: 'openReferences', max: MAX_OPEN_REFERENCES }, (x, q) => {
        const r = obj(x, q);
        const base = ref(r, q) as MessageRef;
        return { ...base, by: hex(r.by, 32, `${q}.by`), at: time(r.at, `${q}.at`) };
      }),
    };
    for (const c of state.chains) if (!ids.has(c.owner) || c.owner === self) throw new Invalid('chains.owner');
    return ok(state);
  } catch (e) {
    if (e instanceof Invalid) return err({ code: 'invalid-field', message: e.message, path: e.path });
    return err({ code: 'invalid-field', message: 'invalid group state' });
  }
}
