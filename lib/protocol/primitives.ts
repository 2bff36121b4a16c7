// Thin wrappers over @noble primitives with the exact parameters the protocol fixes.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { randomBytes, utf8ToBytes } from '../bytes.ts';
import { LABELS } from './constants.ts';

export { ed25519, x25519, sha256, sha512 };

/** Source of random bytes; injectable so vectors and tests are deterministic. */
export type Rng = (length: number) => Uint8Array;

export const defaultRng: Rng = (n) => randomBytes(n);

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

export function hkdfSha256({ ikm, salt, label, length }: { ikm: Uint8Array; salt: Uint8Array; label: string; length: number }): Uint8Array {
  return hkdf(sha256, ikm, salt, utf8ToBytes(label), length);
}

export function hkdfExtract(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return extract(sha256, ikm, salt);
}

export function hkdfExpand(prk: Uint8Array, label: string, length: number): Uint8Array {
  return expand(sha256, prk, utf8ToBytes(label), length);
}

export interface X25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateX25519(rng: Rng): X25519KeyPair {
  const secretKey = rng(32);
  if (secretKey.length !== 32) throw new RangeError('rng returned wrong length');
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** X25519 that returns null on low-order / invalid peer keys instead of throwing. */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  try {
    return x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    return null;
  }
}

/** AEAD with key and nonce both derived from the one-time message key (nothing on the wire). */
function aeadKeys(messageKey: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = hkdfSha256({ ikm: messageKey, salt: new Uint8Array(32), label: LABELS.messageKeys, length: 44 });
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32, 44) };
}

export function aeadSeal(messageKey: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { key, nonce } = aeadKeys(messageKey);
  return chacha20poly1305(key, nonce, ad).encrypt(plaintext);
}

export function aeadOpen(messageKey: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null {
  const { key, nonce } = aeadKeys(messageKey);
  try {
    return chacha20poly1305(key, nonce, ad).decrypt(ciphertext);
  } catch {
    return null;
  }
}
