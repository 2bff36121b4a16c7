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

/** Everything a transcript binds: mode, context (site, conversation, both handles) and keys. */
export interface Transcript {
  origin: SessionOrigin;
  ctx: ConversationContext;
  /** Our role: it decides which handle is the initiator's. */
  role: Role;
  keys: AgreementKeys;
}

export function transcriptHash({ origin, ctx, role, keys }: Transcript): Uint8Array {
  const initiatorHandle = role === 'initiator' ? ctx.selfHandle : ctx.peerHandle;
  const responderHandle = role === 'initiator' ? ctx.peerHandle : ctx.selfHandle;
  return sha256(
    concatBytes(
      lpString(LABELS.transcript),
      Uint8Array.of(PROTOCOL_VERSION, origin === 'interactive' ? 1 : 2),
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

/** The peer's public keys in one key agreement. */
export interface PeerKeys {
  identity: Uint8Array;
  /** Their ephemeral (interactive), or their signed prekey (offline start, we initiate). */
  ephemeral: Uint8Array;
}

/**
 * Triple DH. DH1 = DH(IK_i, E_r), DH2 = DH(E_i, IK_r), DH3 = DH(E_i, E_r); each side computes
 * the same three values from its own secrets. Returns null on any invalid peer key.
 */
export function tripleDh(d: { role: Role; self: Identity; ownEphemeralSecret: Uint8Array; peer: PeerKeys }): Uint8Array | null {
  const peerIdDh = identityPublicToDh(d.peer.identity);
  if (!peerIdDh) return null;
  const eph = d.ownEphemeralSecret;
  const parts =
    d.role === 'initiator'
      ? [dh(d.self.dhSecretKey, d.peer.ephemeral), dh(eph, peerIdDh), dh(eph, d.peer.ephemeral)]
      : [dh(eph, peerIdDh), dh(d.self.dhSecretKey, d.peer.ephemeral), dh(eph, d.peer.ephemeral)];
  if (parts.some((p) => p === null)) return null;
  return concatBytes(...(parts as Uint8Array[]));
}

/** One side of a key agreement, interactive or offline start. */
export interface Agreement {
  origin: SessionOrigin;
  role: Role;
  ctx: ConversationContext;
  self: Identity;
  /** Our ephemeral (interactive), or our signed prekey (offline start, the peer initiated). */
  ownEphemeral: { secretKey: Uint8Array; publicKey: Uint8Array };
  peer: PeerKeys;
}

/** Triple DH, transcript and key schedule of one key agreement; null on an invalid peer key. */
export function agree(a: Agreement): SessionSecrets | null {
  const shared = tripleDh({ role: a.role, self: a.self, ownEphemeralSecret: a.ownEphemeral.secretKey, peer: a.peer });
  if (!shared) return null;
  const mine = { identity: a.self.publicKey, ephemeral: a.ownEphemeral.publicKey };
  const [initiator, responder] = a.role === 'initiator' ? [mine, a.peer] : [a.peer, mine];
  const keys: AgreementKeys = {
    initiatorIdentity: initiator.identity,
    responderIdentity: responder.identity,
    initiatorEphemeral: initiator.ephemeral,
    responderEphemeral: responder.ephemeral,
  };
  return deriveSessionSecrets(shared, transcriptHash({ origin: a.origin, ctx: a.ctx, role: a.role, keys }));
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
