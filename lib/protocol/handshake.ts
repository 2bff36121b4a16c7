// Key agreement shared by the interactive handshake (commit / reply / reveal) and the offline
// start: triple DH over identity and ephemeral keys, a transcript hash that binds the context,
// and one key schedule. Message authentication is by MAC only (deniable: no signatures).
import { concatBytes, utf8ToBytes } from '../bytes.ts';
import { lpString } from './bytes.ts';
import { LABELS, PROTOCOL_VERSION } from './constants.ts';
import { identityPublicToDh, type Identity } from './identity.ts';
import { dh, hkdfExpand, hkdfExtract, hmacSha256, sha256 } from './primitives.ts';
import { COMMIT_REF_BYTES } from './wire.ts';

export type Role = 'initiator' | 'responder';
export type SessionOrigin = 'interactive' | 'prekey';

export interface ConversationContext {
  /** Site origin or stable site id, e.g. "discord.com". */
  readonly site: string;
  /** The site's id of the conversation (channel / thread). */
  readonly conversationId: string;
  readonly selfHandle: string;
  readonly peerHandle: string;
}

/** Public keys of one key agreement, named by role (not by self/peer) so both sides agree. */
export interface AgreementKeys {
  readonly initiatorIdentity: Uint8Array;
  readonly responderIdentity: Uint8Array;
  readonly initiatorEphemeral: Uint8Array;
  /** Responder's ephemeral (interactive) or signed prekey (offline start). */
  readonly responderEphemeral: Uint8Array;
}

export interface SessionSecrets {
  readonly transcriptHash: Uint8Array;
  readonly rootKey: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly confirmKey: Uint8Array;
  readonly sas: Uint8Array;
  readonly mediaRoot: Uint8Array;
}

export const SESSION_ID_BYTES = 16;
export const SAS_BYTES = 5;

/** msg1 commitment: SHA-256(label || initiator ephemeral || initiator identity). */
export function computeCommit(ephemeral: Uint8Array, identity: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(LABELS.commit), ephemeral, identity));
}

export function commitRef(commit: Uint8Array): Uint8Array {
  return commit.slice(0, COMMIT_REF_BYTES);
}

export function transcriptHash(
  mode: SessionOrigin,
  ctx: ConversationContext,
  selfRole: Role,
  keys: AgreementKeys,
): Uint8Array {
  const initiatorHandle = selfRole === 'initiator' ? ctx.selfHandle : ctx.peerHandle;
  const responderHandle = selfRole === 'initiator' ? ctx.peerHandle : ctx.selfHandle;
  return sha256(
    concatBytes(
      lpString(LABELS.transcript),
      Uint8Array.of(PROTOCOL_VERSION, mode === 'interactive' ? 1 : 2),
      lpString(ctx.site),
      lpString(ctx.conversationId),
      lpString(initiatorHandle),
      lpString(responderHandle),
      keys.initiatorIdentity,
      keys.responderIdentity,
      keys.initiatorEphemeral,
      keys.responderEphemeral,
    ),
  );
}

/**
 * Triple DH. DH1 = DH(IK_i, E_r), DH2 = DH(E_i, IK_r), DH3 = DH(E_i, E_r); each side computes
 * the same three values from its own secrets. Returns null on any invalid peer key.
 */
export function tripleDh(
  selfRole: Role,
  self: Identity,
  selfEphemeralSecret: Uint8Array,
  peerIdentity: Uint8Array,
  peerEphemeral: Uint8Array,
): Uint8Array | null {
  const peerIdDh = identityPublicToDh(peerIdentity);
  if (!peerIdDh) return null;
  const parts =
    selfRole === 'initiator'
      ? [dh(self.dhSecretKey, peerEphemeral), dh(selfEphemeralSecret, peerIdDh), dh(selfEphemeralSecret, peerEphemeral)]
      : [dh(selfEphemeralSecret, peerIdDh), dh(self.dhSecretKey, peerEphemeral), dh(selfEphemeralSecret, peerEphemeral)];
  if (parts.some((p) => p === null)) return null;
  return concatBytes(...(parts as Uint8Array[]));
}

/** Key schedule: PRK = HKDF-Extract(salt = transcript hash, IKM = DH1||DH2||DH3), then labelled expands. */
export function deriveSessionSecrets(dhOutput: Uint8Array, th: Uint8Array): SessionSecrets {
  const prk = hkdfExtract(dhOutput, th);
  return {
    transcriptHash: th,
    rootKey: hkdfExpand(prk, LABELS.rootKey, 32),
    sessionId: hkdfExpand(prk, LABELS.sessionId, SESSION_ID_BYTES),
    confirmKey: hkdfExpand(prk, LABELS.confirmInitiator, 32),
    sas: hkdfExpand(prk, LABELS.sas, SAS_BYTES),
    mediaRoot: hkdfExpand(prk, LABELS.mediaRoot, 32),
  };
}

/** msg3 key confirmation by the initiator: HMAC-SHA256(confirmKey, transcript hash). */
export function initiatorConfirmation(secrets: SessionSecrets): Uint8Array {
  return hmacSha256(secrets.confirmKey, secrets.transcriptHash);
}
