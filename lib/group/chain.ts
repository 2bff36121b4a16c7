// A sender chain: the hash ratchet that gives one message key per index, and the AEAD that uses
// it. One-way: a chain key at index i yields keys for i, i+1, ... and nothing before i.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { utf8ToBytes } from '../bytes.ts';
import { hkdfSha256, hmacSha256 } from '../protocol/primitives.ts';
import { GROUP_LABELS } from './constants.ts';

const STEP = utf8ToBytes(GROUP_LABELS.chainStep);
const MESSAGE = utf8ToBytes(GROUP_LABELS.messageKey);

/** mk_i = HMAC-SHA256(ck_i, "veil/v1/group-message-key"), ck_{i+1} = HMAC-SHA256(ck_i, "veil/v1/group-chain-step"). */
export function chainStep(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  return { messageKey: hmacSha256(chainKey, MESSAGE), chainKey: hmacSha256(chainKey, STEP) };
}

/** Key and nonce both come from the one-time message key; nothing random on the wire. */
function aeadKeys(messageKey: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = hkdfSha256({ ikm: messageKey, salt: new Uint8Array(32), label: GROUP_LABELS.aead, length: 44 });
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32, 44) };
}

export function groupSeal(messageKey: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { key, nonce } = aeadKeys(messageKey);
  return chacha20poly1305(key, nonce, ad).encrypt(plaintext);
}

export function groupOpen(messageKey: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null {
  const { key, nonce } = aeadKeys(messageKey);
  try {
    return chacha20poly1305(key, nonce, ad).decrypt(ciphertext);
  } catch {
    return null;
  }
}
