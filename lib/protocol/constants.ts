// Protocol constants and every KDF / hash domain-separation label (documented in docs/protocol.md).
export const PROTOCOL_VERSION = 1;

export const LABELS = {
  commit: 'veil/v1/commit',
  transcript: 'veil/v1/transcript',
  rootKey: 'veil/v1/root-key',
  confirmInitiator: 'veil/v1/confirm-initiator',
  sessionId: 'veil/v1/session-id',
  sas: 'veil/v1/sas',
  mediaRoot: 'veil/v1/media-root',
  ratchetRoot: 'veil/v1/ratchet-root',
  messageKeys: 'veil/v1/message-keys',
  prekeySignature: 'veil/v1/prekey-signature',
  fingerprint: 'veil/v1/fingerprint',
  mediaCall: 'veil/v1/media-call',
  mediaInitiatorToResponder: 'veil/v1/media-i2r',
  mediaResponderToInitiator: 'veil/v1/media-r2i',
  mediaFrameKey: 'veil/v1/media-frame-key',
  mediaNextEpoch: 'veil/v1/media-next-epoch',
} as const;

/** Double Ratchet bounds (Signal recommends a MAX_SKIP; ours is per chain step). */
export const MAX_SKIP = 1000;
export const MAX_STORED_SKIPPED_KEYS = 2000;
/** Skipped message keys older than this are deleted (forward secrecy for lost messages). */
export const SKIPPED_KEY_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Remembered previous remote ratchet keys, to classify late duplicates as replays, not desync. */
export const MAX_PAST_REMOTE_KEYS = 64;
/** Remembered prekey-message ephemeral keys (replay protection for offline starts). */
export const MAX_SEEN_PREKEY_EPHEMERALS = 1000;
/** Own signed prekeys kept so late offline starts still work. */
export const MAX_OWN_PREKEYS = 3;
/** Hard cap on any wire message (hostile input bound). */
export const MAX_WIRE_BYTES = 1 << 20;
/** Max plaintext (UTF-8 bytes); chat sites cap far lower (10,000 characters at most). */
export const MAX_PLAINTEXT_BYTES = 256 * 1024;
/** Context strings (site, conversation id, handles) are bounded. */
export const MAX_CONTEXT_STRING_BYTES = 1024;
