// Public API of the group protocol core (sender keys over the pairwise sessions). Pure: no browser
// APIs. Spec: docs/protocol.md, "Groups".
export * from './constants.ts';
export * from './errors.ts';
export * from './events.ts';
export type * from './state.ts';
export { type Member, type MembershipOp, rosterHash, nextTranscript, membershipCode, INITIAL_TRANSCRIPT } from './roster.ts';
export { memberTag, senderKeyId, referenceDigest, proveKeyPossession } from './keys.ts';
export { chainStep } from './chain.ts';
export { type ControlPayload, type ControlError, type ControlKind, CONTROL_KINDS, decodeControl, encodeControl } from './control.ts';
export {
  type GroupEnvelope,
  type GroupHeader,
  type GroupMessageWire,
  type GroupWireError,
  decodeGroupEnvelope,
  decodeGroupMessage,
  encodeGroupEnvelope,
} from './wire.ts';
export {
  type GroupSite,
  type NewMember,
  acceptGroup,
  addMembers,
  commitMembership,
  createGroup,
  leaveGroup,
  missingSenderKeys,
  receiveGroupControl,
  removeMembers,
  requestSenderKeys,
  rotateSenderKey,
} from './membership.ts';
export { decryptGroupMessage, encryptGroupMessage } from './message.ts';
export { overdueReferences } from './history.ts';
export { type GroupParseError, parseGroup, serializeGroup } from './serialize.ts';
export { memberForTag, pairwiseToStart, rosterKeyMatches, shouldAutoAnswer, startsPairwise } from './auto-answer.ts';
