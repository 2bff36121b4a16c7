// Identifiers and signatures of the group layer: member tags, sender key ids, message reference
// digests, and the Ed25519 signature every group message carries.
import { concatBytes } from '../bytes.ts';
import { lpString } from '../protocol/bytes.ts';
import { ed25519, sha256 } from '../protocol/primitives.ts';
import type { Rng } from '../protocol/primitives.ts';
import { GROUP_LABELS, KEY_ID_BYTES, MEMBER_TAG_BYTES, REFERENCE_DIGEST_BYTES } from './constants.ts';

/** Names a member (by identity key) in envelopes: SHA-256(lp(label) || identity)[0..8]. */
export function memberTag(identity: Uint8Array): Uint8Array {
  return sha256(concatBytes(lpString(GROUP_LABELS.memberTag), identity)).slice(0, MEMBER_TAG_BYTES);
}

/** Sender key id: binds the signing key to its group and its member, so no one else can claim it. */
export function senderKeyId(groupId: Uint8Array, owner: Uint8Array, signPublic: Uint8Array): Uint8Array {
  return sha256(concatBytes(lpString(GROUP_LABELS.keyId), groupId, owner, signPublic)).slice(0, KEY_ID_BYTES);
}

/** Names one group message (its exact wire bytes) in another message's reference. */
export function referenceDigest(wire: Uint8Array): Uint8Array {
  return sha256(concatBytes(lpString(GROUP_LABELS.reference), wire)).slice(0, REFERENCE_DIGEST_BYTES);
}

export interface SigningKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateSigningKey(rng: Rng): SigningKeyPair {
  const secretKey = rng(32);
  if (secretKey.length !== 32) throw new RangeError('rng returned wrong length');
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** A distributed signing key must be a canonical Ed25519 point that is not of small order. */
export function isValidSigningKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  try {
    return ed25519.utils.isValidPublicKey(publicKey) && !ed25519.Point.fromBytes(publicKey).isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * What a group message signature covers: the label, the membership transcript hash of the epoch
 * the message names, the author's identity key, and every wire byte before the signature.
 */
export interface SignedContent {
  transcript: Uint8Array;
  author: Uint8Array;
  body: Uint8Array;
}

function signedBytes({ transcript, author, body }: SignedContent): Uint8Array {
  return concatBytes(lpString(GROUP_LABELS.signature), transcript, author, body);
}

export function signGroupMessage(secretKey: Uint8Array, content: SignedContent): Uint8Array {
  return ed25519.sign(signedBytes(content), secretKey);
}

/**
 * Proof that the holder of a signing key hands it out as `owner`'s, in this group: without it a
 * member could claim another member's signing key as their own. Made with the ephemeral signing
 * key, never the identity key, so it proves nothing about a person to an outsider.
 */
/** A signing key handed out as `owner`'s in the group `groupId`. */
export interface Possession {
  groupId: Uint8Array;
  owner: Uint8Array;
  signPublic: Uint8Array;
}

function possessionBytes({ groupId, owner, signPublic }: Possession): Uint8Array {
  return concatBytes(lpString(GROUP_LABELS.possession), groupId, owner, signPublic);
}

export function proveKeyPossession(secretKey: Uint8Array, claim: Possession): Uint8Array {
  return ed25519.sign(possessionBytes(claim), secretKey);
}

export function verifyKeyPossession(proof: Uint8Array, claim: Possession): boolean {
  try {
    return ed25519.verify(proof, possessionBytes(claim), claim.signPublic, { zip215: false });
  } catch {
    return false;
  }
}

export function verifyGroupMessage(key: { publicKey: Uint8Array; signature: Uint8Array }, content: SignedContent): boolean {
  try {
    return ed25519.verify(key.signature, signedBytes(content), key.publicKey, { zip215: false });
  } catch {
    return false;
  }
}
