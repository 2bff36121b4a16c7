// Membership: the roster (who is in the encrypted group), the ops that change it, and the
// membership transcript hash that chains every roster the group has had.
import { concatBytes, hexToBytes, utf8ToBytes } from '../bytes.ts';
import { lpString } from '../protocol/bytes.ts';
import { identityPublicToDh } from '../protocol/identity.ts';
import { sha256 } from '../protocol/primitives.ts';
import { GROUP_LABELS, MAX_GROUP_MEMBERS, MAX_HANDLE_BYTES } from './constants.ts';

export interface Member {
  /** Identity key (hex): the peer identity of the pairwise session with this member. */
  readonly identity: string;
  /** Display hint asserted by the owner; never used to decide anything. */
  readonly handle: string | null;
}

export type MembershipOp =
  | { readonly op: 'add'; readonly identity: string; readonly handle: string | null }
  | { readonly op: 'remove'; readonly identity: string };

/** Canonical order: by identity key bytes (lowercase hex of equal length sorts the same). */
export function sortMembers(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

export function isMember(members: readonly Member[], identity: string): boolean {
  return members.some((m) => m.identity === identity);
}

export function handleProblem(handle: string | null): string | null {
  if (handle === null) return null;
  if (handle.length === 0) return 'a handle is empty (use none instead)';
  if (utf8ToBytes(handle).length > MAX_HANDLE_BYTES) return `a handle is longer than ${MAX_HANDLE_BYTES} bytes`;
  return null;
}

function identityProblem(identity: string): string | null {
  if (!/^[0-9a-f]{64}$/.test(identity)) return 'an identity key is not 32 bytes of lowercase hex';
  if (identityPublicToDh(hexToBytes(identity)) === null) return 'an identity key is not a valid Ed25519 key';
  return null;
}

/** Checks a whole roster (creation, welcome): valid distinct keys, owner and self included, bounded. */
export function rosterProblem(members: readonly Member[], owner: string, self: string): string | null {
  if (members.length < 2) return 'a group needs at least two members';
  if (members.length > MAX_GROUP_MEMBERS) return `more than ${MAX_GROUP_MEMBERS} members`;
  const seen = new Set<string>();
  for (const m of members) {
    const p = identityProblem(m.identity) ?? handleProblem(m.handle);
    if (p) return p;
    if (seen.has(m.identity)) return 'a member is listed twice';
    seen.add(m.identity);
  }
  if (!seen.has(owner)) return 'the owner is not in the roster';
  if (!seen.has(self)) return 'we are not in the roster';
  return null;
}

/** Applies a commit's ops in order; null with a reason when any op is invalid (nothing applied). */
export function applyOps(members: readonly Member[], owner: string, ops: readonly MembershipOp[]): { members: Member[] } | { problem: string } {
  if (ops.length === 0) return { problem: 'a commit without ops' };
  const touched = new Set<string>();
  let next = [...members];
  for (const op of ops) {
    if (touched.has(op.identity)) return { problem: 'a member appears twice in one commit' };
    touched.add(op.identity);
    if (op.op === 'add') {
      const p = identityProblem(op.identity) ?? handleProblem(op.handle);
      if (p) return { problem: p };
      if (isMember(next, op.identity)) return { problem: 'added member is already in the group' };
      next.push({ identity: op.identity, handle: op.handle });
    } else {
      if (op.identity === owner) return { problem: 'the owner cannot be removed' };
      if (!isMember(next, op.identity)) return { problem: 'removed member is not in the group' };
      next = next.filter((m) => m.identity !== op.identity);
    }
  }
  if (next.length > MAX_GROUP_MEMBERS) return { problem: `more than ${MAX_GROUP_MEMBERS} members` };
  if (next.length < 2) return { problem: 'a group needs at least two members' };
  return { members: sortMembers(next) };
}

export interface GroupContext {
  readonly groupId: Uint8Array;
  readonly site: string;
  readonly conversationId: string;
  readonly owner: Uint8Array;
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/**
 * rosterHash = SHA-256( lp("veil/v1/group-roster") || groupId || lp(site) || lp(conversationId)
 *   || owner || u16 count || for each member in canonical order: identity || 0x00 | 0x01 lp(handle) )
 */
export function rosterHash(ctx: GroupContext, members: readonly Member[]): Uint8Array {
  const parts: Uint8Array[] = [
    lpString(GROUP_LABELS.roster),
    ctx.groupId,
    lpString(ctx.site),
    lpString(ctx.conversationId),
    ctx.owner,
    Uint8Array.of(members.length >> 8, members.length & 255),
  ];
  for (const m of sortMembers(members)) {
    parts.push(hexToBytes(m.identity), m.handle === null ? Uint8Array.of(0) : concatBytes(Uint8Array.of(1), lpString(m.handle)));
  }
  return sha256(concatBytes(...parts));
}

/** th_e = SHA-256( lp("veil/v1/group-transcript") || th_{e-1} || u32(e) || rosterHash_e ), th_{-1} = 32 zero bytes. */
export function nextTranscript(previous: Uint8Array, epoch: number, roster: Uint8Array): Uint8Array {
  return sha256(concatBytes(lpString(GROUP_LABELS.transcript), previous, u32(epoch), roster));
}

export const INITIAL_TRANSCRIPT = new Uint8Array(32);

/**
 * A short code for people to compare (read aloud, or side by side): members who see the same
 * code at the same epoch agree on the whole membership history. 40 bits as 2 × 6 digits is
 * enough against a site that shows people different rosters (it does not choose the hash);
 * an owner grinding two histories with the same code would need about 2^20 tries.
 */
export function membershipCode(transcriptHex: string): string {
  const t = hexToBytes(transcriptHex);
  const n1 = ((t[0] as number) * 2 ** 12 + (t[1] as number) * 2 ** 4 + ((t[2] as number) >> 4)) % 1_000_000;
  const n2 = ((((t[2] as number) & 15) * 2 ** 16 + (t[3] as number) * 2 ** 8 + (t[4] as number)) % 1_000_000);
  return `${String(n1).padStart(6, '0')} ${String(n2).padStart(6, '0')}`;
}
