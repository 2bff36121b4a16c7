// Offline start (X3DH without one-time prekeys). A bundle = identity key + signed prekey; the
// Ed25519 signature covers label || prekey. The first messages from the starter carry its
// identity and ephemeral key; the receiver remembers seen ephemerals (bounded) to reject replays.
import { concatBytes, utf8ToBytes } from '../bytes.ts';
import { LABELS, MAX_SEEN_PREKEY_EPHEMERALS } from './constants.ts';
import { identityPublicToDh, type Identity } from './identity.ts';
import { ed25519, generateX25519, type X25519KeyPair } from './primitives.ts';
import { err, ok, type Result } from '../result.ts';
import type { Rng } from './primitives.ts';
import { decodeWireMessage, encodeWireMessage, type WireError } from './wire.ts';

export interface PrekeyBundle {
  readonly identity: Uint8Array;
  readonly prekey: Uint8Array;
  readonly signature: Uint8Array;
}

export type PrekeyErrorCode = 'malformed' | 'not-a-bundle' | 'bad-identity' | 'bad-signature';
export interface PrekeyError {
  readonly code: PrekeyErrorCode;
  readonly message: string;
  readonly wireError?: WireError;
}

function signedPayload(prekey: Uint8Array): Uint8Array {
  return concatBytes(utf8ToBytes(LABELS.prekeySignature), prekey);
}

export function createSignedPrekey(identity: Identity, rng: Rng): { pair: X25519KeyPair; wire: Uint8Array } {
  const pair = generateX25519(rng);
  const signature = ed25519.sign(signedPayload(pair.publicKey), identity.secretKey);
  const wire = encodeWireMessage({ type: 'prekey-bundle', identity: identity.publicKey, prekey: pair.publicKey, signature });
  return { pair, wire };
}

export function verifyPrekeyBundle(bundle: PrekeyBundle): Result<PrekeyBundle, PrekeyError> {
  if (!identityPublicToDh(bundle.identity)) return err({ code: 'bad-identity', message: 'bundle identity key is invalid' });
  let valid = false;
  try {
    valid = ed25519.verify(bundle.signature, signedPayload(bundle.prekey), bundle.identity, { zip215: false });
  } catch {
    valid = false;
  }
  return valid ? ok(bundle) : err({ code: 'bad-signature', message: 'prekey signature does not verify' });
}

export function parsePrekeyBundle(wire: Uint8Array): Result<PrekeyBundle, PrekeyError> {
  const decoded = decodeWireMessage(wire);
  if (!decoded.ok) return err({ code: 'malformed', message: decoded.error.message, wireError: decoded.error });
  if (decoded.value.type !== 'prekey-bundle') return err({ code: 'not-a-bundle', message: `got ${decoded.value.type}` });
  return verifyPrekeyBundle(decoded.value);
}

/** Adds an ephemeral (hex) to the bounded replay set; oldest entries are dropped first. */
export function rememberEphemeral(seen: readonly string[], ephemeralHex: string): string[] {
  const next = seen.filter((e) => e !== ephemeralHex);
  next.push(ephemeralHex);
  return next.slice(-MAX_SEEN_PREKEY_EPHEMERALS);
}
