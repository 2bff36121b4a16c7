// Pairwise setup inside a group: who starts each member pair's key agreement, and when our Veil
// answers another member's key agreement without asking the user. The text engine calls these
// hooks; they decide nothing about trust beyond group membership (docs/protocol.md, "Groups").
import { bytesToHex, compareBytes, hexToBytes } from '../bytes.ts';
import { memberTag } from './keys.ts';
import type { GroupState } from './state.ts';

/** The roster member whose tag this is, or null. */
export function memberForTag(state: GroupState, tag: Uint8Array): string | null {
  const hex = bytesToHex(tag);
  return state.members.find((m) => bytesToHex(memberTag(hexToBytes(m.identity))) === hex)?.identity ?? null;
}

/**
 * Answer a pairwise key-agreement message without asking? Only when the user has accepted this
 * group, we are still in it, the message arrived in the group's own conversation, it is addressed
 * to us, and its sender tag names another current member.
 */
export function shouldAutoAnswer(
  state: GroupState,
  where: { site: string; conversationId: string },
  envelope: { to: Uint8Array; from: Uint8Array },
): boolean {
  if (state.status !== 'active') return false;
  if (where.site !== state.site || where.conversationId !== state.conversationId) return false;
  if (bytesToHex(envelope.to) !== bytesToHex(memberTag(hexToBytes(state.self)))) return false;
  const from = memberForTag(state, envelope.from);
  return from !== null && from !== state.self;
}

/** Of two members, the one with the smaller tag starts their pairwise key agreement (no collisions to resolve). */
export function startsPairwise(self: Uint8Array, peer: Uint8Array): boolean {
  return compareBytes(memberTag(self), memberTag(peer)) < 0;
}

/** Members we must start a pairwise session with now (we are the designated initiator and have none). */
export function pairwiseToStart(state: GroupState, hasSession: (identity: string) => boolean): string[] {
  if (state.status !== 'active') return [];
  const self = hexToBytes(state.self);
  return state.members
    .map((m) => m.identity)
    .filter((id) => id !== state.self && !hasSession(id) && startsPairwise(self, hexToBytes(id)));
}

/**
 * A pairwise session that completed with a member must prove the identity key the roster lists
 * for the tag it used; otherwise it is not that member (the engine discards it and warns).
 */
export function rosterKeyMatches(state: GroupState, tag: Uint8Array, identity: Uint8Array): boolean {
  return memberForTag(state, tag) === bytesToHex(identity);
}
