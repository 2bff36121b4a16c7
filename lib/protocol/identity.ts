// Long-term identity: one Ed25519 key. It signs prekeys and, converted to X25519
// (Edwards -> Montgomery birational map, as libsodium's crypto_sign_ed25519_pk_to_curve25519),
// takes part in the triple DH. One key means one fingerprint and one safety number per person.
import { bytesToHex, concatBytes, hexToBytesSafe, utf8ToBytes } from '../bytes.ts';
import { LABELS } from './constants.ts';
import { defaultRng, ed25519, sha256 } from './primitives.ts';
import { err, ok, type Result } from '../result.ts';
import type { Rng } from './primitives.ts';

export const IDENTITY_FORMAT_VERSION = 1;

export interface Identity {
  /** Ed25519 secret seed (32 bytes). */
  readonly secretKey: Uint8Array;
  /** Ed25519 public key (32 bytes): the identity key everywhere on the wire. */
  readonly publicKey: Uint8Array;
  /** X25519 forms, derived once. */
  readonly dhSecretKey: Uint8Array;
  readonly dhPublicKey: Uint8Array;
}

export interface SerializedIdentity {
  readonly v: 1;
  readonly kind: 'veil-identity';
  readonly secretKey: string;
  readonly publicKey: string;
}

export interface SerializedPublicIdentity {
  readonly v: 1;
  readonly kind: 'veil-public-identity';
  readonly publicKey: string;
}

export type IdentityErrorCode =
  | 'not-an-object'
  | 'unsupported-version'
  | 'wrong-kind'
  | 'bad-secret-key'
  | 'bad-public-key'
  | 'key-mismatch';

export interface IdentityError {
  readonly code: IdentityErrorCode;
  readonly message: string;
}

export function identityFromSecret(secretKey: Uint8Array): Identity {
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    secretKey: Uint8Array.from(secretKey),
    publicKey,
    dhSecretKey: ed25519.utils.toMontgomerySecret(secretKey),
    dhPublicKey: ed25519.utils.toMontgomery(publicKey),
  };
}

export function generateIdentity(rng: Rng = defaultRng): Identity {
  return identityFromSecret(rng(32));
}

/** Peers' converted identity keys: a re-key or a prekey start with a known contact skips the work. */
const dhOfIdentity = new Map<string, Uint8Array | null>();
const DH_CACHE_SIZE = 64;

/**
 * Validates an Ed25519 public key (on-curve, canonical encoding, not of small order) and converts
 * it to X25519; null if invalid. The point is decoded once (a square root): the Montgomery u is
 * (1 + y) / (1 - y) in the curve's field, the map noble's toMontgomery applies (RFC 7748 section 4.1).
 */
export function identityPublicToDh(publicKey: Uint8Array): Uint8Array | null {
  if (publicKey.length !== 32) return null;
  const id = bytesToHex(publicKey);
  const known = dhOfIdentity.get(id);
  if (known !== undefined) return known === null ? null : known.slice();
  let out: Uint8Array | null = null;
  try {
    const point = ed25519.Point.fromBytes(publicKey);
    // Reject small-order identity keys: their X25519 image would give a known shared secret.
    if (!point.isSmallOrder()) {
      const Fp = ed25519.Point.Fp;
      out = Fp.toBytes(Fp.div(Fp.add(Fp.ONE, point.y), Fp.sub(Fp.ONE, point.y)));
    }
  } catch {
    out = null;
  }
  if (dhOfIdentity.size >= DH_CACHE_SIZE) dhOfIdentity.delete(dhOfIdentity.keys().next().value!);
  dhOfIdentity.set(id, out);
  return out === null ? null : out.slice();
}

/** Fingerprint: SHA-256(label || key), first 20 bytes, hex in groups of 4 (10 groups). */
export function fingerprint(publicKey: Uint8Array): string {
  const digest = sha256(concatBytes(utf8ToBytes(LABELS.fingerprint), publicKey)).subarray(0, 20);
  return (bytesToHex(digest).match(/.{4}/g) ?? []).join(' ');
}

export function serializeIdentity(identity: Identity): SerializedIdentity {
  return {
    v: IDENTITY_FORMAT_VERSION,
    kind: 'veil-identity',
    secretKey: bytesToHex(identity.secretKey),
    publicKey: bytesToHex(identity.publicKey),
  };
}

export function serializePublicIdentity(publicKey: Uint8Array): SerializedPublicIdentity {
  return { v: IDENTITY_FORMAT_VERSION, kind: 'veil-public-identity', publicKey: bytesToHex(publicKey) };
}

function header(input: unknown, kind: string): IdentityError | Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { code: 'not-an-object', message: 'identity must be a JSON object' };
  }
  const o = input as Record<string, unknown>;
  if (o.v !== IDENTITY_FORMAT_VERSION) return { code: 'unsupported-version', message: `unsupported version ${String(o.v)}` };
  if (o.kind !== kind) return { code: 'wrong-kind', message: `expected kind ${kind}` };
  return o;
}

function isError(x: IdentityError | Record<string, unknown>): x is IdentityError {
  return typeof x.code === 'string' && typeof x.message === 'string' && !('v' in x);
}

export function parseIdentity(input: unknown): Result<Identity, IdentityError> {
  const o = header(input, 'veil-identity');
  if (isError(o)) return err(o);
  const secret = hexToBytesSafe(o.secretKey, 32);
  if (!secret) return err({ code: 'bad-secret-key', message: 'secretKey must be 64 lowercase hex characters' });
  const pub = hexToBytesSafe(o.publicKey, 32);
  if (!pub) return err({ code: 'bad-public-key', message: 'publicKey must be 64 lowercase hex characters' });
  const identity = identityFromSecret(secret);
  if (bytesToHex(identity.publicKey) !== bytesToHex(pub)) {
    return err({ code: 'key-mismatch', message: 'publicKey does not match secretKey' });
  }
  return ok(identity);
}

export function parsePublicIdentity(input: unknown): Result<Uint8Array, IdentityError> {
  const o = header(input, 'veil-public-identity');
  if (isError(o)) return err(o);
  const pub = hexToBytesSafe(o.publicKey, 32);
  if (!pub || identityPublicToDh(pub) === null) return err({ code: 'bad-public-key', message: 'not a valid Ed25519 key' });
  return ok(pub);
}
