// Group protocol labels and bounds (documented in docs/protocol.md, "Groups"). Every label is
// distinct from the pairwise labels in lib/protocol/constants.ts (a unit test checks it).
export const GROUP_LABELS = {
  roster: 'veil/v1/group-roster',
  transcript: 'veil/v1/group-transcript',
  keyId: 'veil/v1/group-key-id',
  chainStep: 'veil/v1/group-chain-step',
  messageKey: 'veil/v1/group-message-key',
  aead: 'veil/v1/group-aead',
  signature: 'veil/v1/group-signature',
  memberTag: 'veil/v1/group-member-tag',
  reference: 'veil/v1/group-reference',
  possession: 'veil/v1/group-key-possession',
} as const;

export const GROUP_STATE_FORMAT_VERSION = 1;

export const GROUP_ID_BYTES = 8;
export const KEY_ID_BYTES = 8;
export const MEMBER_TAG_BYTES = 8;
/** Short prefix of the membership transcript hash carried in each message (diagnostics only). */
export const TRANSCRIPT_TAG_BYTES = 4;
/** Digest naming one group message in another member's reference. */
export const REFERENCE_DIGEST_BYTES = 8;

/** Members of one group, owner included. */
export const MAX_GROUP_MEMBERS = 256;
/** Longest display handle (UTF-8 bytes) in a roster. */
export const MAX_HANDLE_BYTES = 256;
/** Most chain steps one message may make a receiver compute (libsignal's MAX_FORWARD_JUMPS). */
export const MAX_GROUP_JUMP = 25_000;
/** Skipped message keys kept per sender chain (newest kept) and per group in total. */
export const MAX_SKIPPED_PER_CHAIN = 1000;
export const MAX_SKIPPED_PER_GROUP = 2000;
/** Skipped keys older than this are deleted (forward secrecy for messages that never came). */
export const GROUP_SKIPPED_KEY_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Chains kept per member: the current one and older ones still decrypting late messages. */
export const MAX_CHAINS_PER_MEMBER = 3;
/** Key ids of chains we dropped: a distribution naming one again is a replay. */
export const MAX_RETIRED_KEY_IDS = 512;
/** Own previous key ids: our own messages shown back to us are recognised. */
export const MAX_OWN_PAST_KEY_IDS = 16;
/** Transcript hashes of past epochs kept, to check late messages from those epochs. */
export const MAX_PAST_TRANSCRIPTS = 64;
/** Control payloads for a future epoch waiting for the commit that reaches it. */
export const MAX_PENDING_CONTROL = 64;
/** Digests of recent messages kept per chain, to check other members' references. */
export const MAX_RECENT_DIGESTS = 32;
/** References to messages we have not seen yet, waiting for them. */
export const MAX_OPEN_REFERENCES = 64;
/** A reference still unresolved after this long is reported as a missing message. */
export const REFERENCE_GRACE_MS = 10 * 60 * 1000;
/** Ops in one commit. */
export const MAX_COMMIT_OPS = MAX_GROUP_MEMBERS;
