/**
 * Encryption at rest.
 *
 * - A random 32-byte data key encrypts every secret record with XChaCha20-Poly1305, a random
 *   24-byte nonce per write, and AD = "veil-keyring/record/<logical name>/v<record version>", so a
 *   record cannot be swapped for another record or replayed as a different format version.
 * - Key slot: with a passphrase, the data key is wrapped by a key derived with scrypt; the KDF
 *   parameters and salt are stored with the wrapped key (and bound into its AD), so they can be
 *   raised later by re-wrapping. Without a passphrase the data key is stored unwrapped: that
 *   protects NOTHING at rest (anyone who can read the profile can decrypt), but keeps one code path.
 * - Storage key names of per-site / per-conversation / per-shard records are HMACs of their logical
 *   names under a subkey of the data key, so storage keys do not reveal sites or conversations.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64ToBytes, bytesToBase64, bytesToHex, decodeUtf8, randomBytes, utf8ToBytes } from '../bytes.ts';
import { isPlainObject, isSafeInt, parseJson } from './encoding.ts';
import { err, ok } from '../result.ts';
import { corrupt, type Result } from './errors.ts';

export type RandomSource = (length: number) => Uint8Array;
export const defaultRandom: RandomSource = (n) => randomBytes(n);

export const DATA_KEY_BYTES = 32;
export const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** Largest single sealed record we will try to decrypt (bounds memory on hostile storage). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * Chosen by measurement on the development machine (AMD EPYC, 2 cores shared with other jobs,
 * Node 20, @noble/hashes 2.4 scryptAsync, r=8 p=1). Idle: log2(N)=15 -> 235 ms, 16 -> 322 ms,
 * 17 -> 593 ms. Under the usual shared load (load average ~5) test/bench/keyring.ts measured N=2^17 at
 * 1200 ms, over the 1 s budget; N=2^16 (64 MiB) measured 510-563 ms under the same load, so 2^16. The
 * parameters are stored per key slot / backup, so they can be raised later by re-wrapping.
 * test/bench/keyring.ts re-measures them ("kdf-derive" row).
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };

/**
 * Bounds on KDF parameters read from storage or a backup file, so a hostile value cannot make us
 * spend minutes or gigabytes: memory 128*N*r <= 256 MiB and work N*r*p <= 2^22 (8x the default
 * cost, a few seconds here): room to raise parameters later, no more.
 * The lower bound rejects files that would make a passphrase trivially brute-forceable.
 */
export const KDF_BOUNDS = { minLogN: 10, maxLogN: 20, maxR: 16, maxP: 4, maxMemBytes: 256 * 1024 * 1024, maxWork: 2 ** 22 };

export function validateScryptParams(v: unknown, minLogN: number = KDF_BOUNDS.minLogN): Result<ScryptParams, string> {
  if (!isPlainObject(v)) return err('kdf params not an object');
  const { N, r, p } = v;
  if (!isSafeInt(N, 2, 2 ** KDF_BOUNDS.maxLogN) || (N & (N - 1)) !== 0) return err('N must be a power of two <= 2^20');
  if (N < 2 ** minLogN) return err(`N below 2^${minLogN}`);
  if (!isSafeInt(r, 1, KDF_BOUNDS.maxR)) return err('r out of range');
  if (!isSafeInt(p, 1, KDF_BOUNDS.maxP)) return err('p out of range');
  if (128 * N * r > KDF_BOUNDS.maxMemBytes) return err('memory cost too high');
  if (N * r * p > KDF_BOUNDS.maxWork) return err('work factor too high');
  return ok({ N, r, p });
}

export async function deriveKek(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(passphrase.normalize('NFC')), salt, {
    ...params,
    dkLen: 32,
    maxmem: KDF_BOUNDS.maxMemBytes + 1024 * 1024,
  });
}

// ---------------------------------------------------------------------------------------------
// Key slot

export type KeySlot =
  | { kind: 'plain'; dataKey: string }
  | { kind: 'passphrase'; kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }; nonce: string; wrapped: string };

function slotAd(kdf: { N: number; r: number; p: number; salt: string }): Uint8Array {
  return utf8ToBytes(`veil-keyring/keyslot/v1/scrypt/${kdf.N}/${kdf.r}/${kdf.p}/${kdf.salt}`);
}

export async function createKeySlot(
  dataKey: Uint8Array,
  passphrase: string | null,
  params: ScryptParams,
  random: RandomSource,
): Promise<KeySlot> {
  if (passphrase === null) return { kind: 'plain', dataKey: bytesToBase64(dataKey) };
  const salt = random(16);
  const kek = await deriveKek(passphrase, salt, params);
  const kdf = { name: 'scrypt' as const, N: params.N, r: params.r, p: params.p, salt: bytesToBase64(salt) };
  const nonce = random(NONCE_BYTES);
  const wrapped = xchacha20poly1305(kek, nonce, slotAd(kdf)).encrypt(dataKey);
  kek.fill(0);
  return { kind: 'passphrase', kdf, nonce: bytesToBase64(nonce), wrapped: bytesToBase64(wrapped) };
}

/** Shape check only (no KDF run): used when validating the root record. */
export function validateKeySlot(v: unknown): Result<KeySlot, string> {
  if (!isPlainObject(v)) return err('key slot not an object');
  if (v.kind === 'plain') {
    const key = base64ToBytes(v.dataKey, DATA_KEY_BYTES);
    if (!key || key.length !== DATA_KEY_BYTES) return err('plain data key malformed');
    return ok({ kind: 'plain', dataKey: v.dataKey as string });
  }
  if (v.kind === 'passphrase') {
    const kdf = v.kdf;
    if (!isPlainObject(kdf) || kdf.name !== 'scrypt') return err('unknown kdf');
    const params = validateScryptParams(kdf);
    if (!params.ok) return err(params.error);
    const salt = base64ToBytes(kdf.salt, 64);
    if (!salt || salt.length < 16) return err('salt malformed');
    const nonce = base64ToBytes(v.nonce, NONCE_BYTES);
    if (!nonce || nonce.length !== NONCE_BYTES) return err('nonce malformed');
    const wrapped = base64ToBytes(v.wrapped, DATA_KEY_BYTES + TAG_BYTES);
    if (!wrapped || wrapped.length !== DATA_KEY_BYTES + TAG_BYTES) return err('wrapped key malformed');
    return ok({
      kind: 'passphrase',
      kdf: { name: 'scrypt', ...params.value, salt: kdf.salt as string },
      nonce: v.nonce as string,
      wrapped: v.wrapped as string,
    });
  }
  return err('unknown key slot kind');
}

/** Recovers the data key. A wrong passphrase (or a tampered slot) is 'wrong-passphrase'. */
export async function openKeySlot(slot: KeySlot, passphrase: string | null): Promise<Result<Uint8Array>> {
  if (slot.kind === 'plain') {
    const key = base64ToBytes(slot.dataKey, DATA_KEY_BYTES);
    if (!key || key.length !== DATA_KEY_BYTES) return corrupt('root', 'plain data key malformed');
    return ok(key);
  }
  if (passphrase === null) return err({ code: 'wrong-passphrase' });
  const salt = base64ToBytes(slot.kdf.salt, 64);
  const nonce = base64ToBytes(slot.nonce, NONCE_BYTES);
  const wrapped = base64ToBytes(slot.wrapped, DATA_KEY_BYTES + TAG_BYTES);
  if (!salt || !nonce || !wrapped) return corrupt('root', 'key slot malformed');
  const kek = await deriveKek(passphrase, salt, slot.kdf);
  try {
    return ok(xchacha20poly1305(kek, nonce, slotAd(slot.kdf)).decrypt(wrapped));
  } catch {
    return err({ code: 'wrong-passphrase' });
  } finally {
    kek.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Sealed records

export interface SealedRecord {
  v: number;
  n: string;
  c: string;
}

function recordAd(name: string, version: number): Uint8Array {
  return utf8ToBytes(`veil-keyring/record/${name}/v${version}`);
}

export function sealRecord(dataKey: Uint8Array, name: string, version: number, value: unknown, random: RandomSource): SealedRecord {
  const nonce = random(NONCE_BYTES);
  const ct = xchacha20poly1305(dataKey, nonce, recordAd(name, version)).encrypt(utf8ToBytes(JSON.stringify(value)));
  return { v: version, n: bytesToBase64(nonce), c: bytesToBase64(ct) };
}

/**
 * Authenticates and decodes a sealed record. `accept` lists the record versions this caller
 * understands; the version is authenticated (it is part of the AD).
 */
export function openRecord(
  dataKey: Uint8Array,
  name: string,
  raw: unknown,
  accept: readonly number[],
): Result<{ version: number; value: unknown }> {
  if (!isPlainObject(raw)) return corrupt(name, 'record is not an object');
  const { v } = raw;
  if (!isSafeInt(v, 1, 1_000_000)) return corrupt(name, 'record version malformed');
  if (!accept.includes(v)) return corrupt(name, `record version ${v} not expected here`);
  const nonce = base64ToBytes(raw.n, NONCE_BYTES);
  if (!nonce || nonce.length !== NONCE_BYTES) return corrupt(name, 'nonce malformed');
  const ct = base64ToBytes(raw.c, MAX_RECORD_BYTES);
  if (!ct || ct.length < TAG_BYTES) return corrupt(name, 'ciphertext malformed or truncated');
  let pt: Uint8Array;
  try {
    pt = xchacha20poly1305(dataKey, nonce, recordAd(name, v)).decrypt(ct);
  } catch {
    return corrupt(name, 'ciphertext failed to authenticate');
  }
  const text = decodeUtf8(pt);
  if (text === null) return corrupt(name, 'plaintext is not UTF-8');
  const parsed = parseJson(text);
  if (!parsed.ok) return corrupt(name, 'plaintext is not JSON');
  return ok({ version: v, value: parsed.value });
}

// ---------------------------------------------------------------------------------------------
// Record names

export function deriveNameKey(dataKey: Uint8Array): Uint8Array {
  return hkdf(sha256, dataKey, undefined, utf8ToBytes('veil-keyring/record-names/v1'), 32);
}

/** Storage key for a record whose logical name must not appear in storage. */
export function hiddenStorageKey(nameKey: Uint8Array, prefix: string, logicalName: string): string {
  return `${prefix}${bytesToHex(hmac(sha256, nameKey, utf8ToBytes(logicalName))).slice(0, 32)}`;
}

export function keyCheckValue(): string {
  return 'veil-keyring key check';
}
