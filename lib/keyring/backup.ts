/**
 * Passphrase-encrypted backup of identity, contacts and settings (not sessions, not the cache:
 * ratchet state must never be restored twice, and cached plaintext stays on the device).
 *
 * File: JSON envelope
 *   { "format": "veil-backup", "version": 1,
 *     "kdf": { "name": "scrypt", "N", "r", "p", "salt": base64 },
 *     "nonce": base64 (24 bytes), "ciphertext": base64 }
 * XChaCha20-Poly1305 under scrypt(passphrase, salt); AD binds format, version and every KDF
 * parameter, so editing the header fails authentication.
 *
 * Import treats the file as hostile: size caps before parsing, strict types, KDF parameters
 * bounded (memory 128*N*r <= 256 MiB, work N*r*p <= 2^22) BEFORE any derivation, payload
 * validated field by field after decryption. Each rejection is a typed BackupError.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { base64ToBytes, bytesToBase64, decodeUtf8, utf8ToBytes } from '../bytes.ts';
import { isPlainObject, isSafeInt, parseJson } from './encoding.ts';
import { err, ok } from '../result.ts';
import type { BackupError, Result } from './errors.ts';
import { LIMITS, validateContactList, validateSettings, type Contact, type Settings } from './schema.ts';
import { checkOpaque } from './sessions.ts';
import { deriveKek, NONCE_BYTES, validateScryptParams, type RandomSource, type ScryptParams } from './vault.ts';

export const BACKUP_FORMAT = 'veil-backup';
export const BACKUP_VERSION = 1;
/** Upper bound on the backup text we are willing to parse. */
export const MAX_BACKUP_CHARS = 32 * 1024 * 1024;
const MAX_CIPHERTEXT_BYTES = 24 * 1024 * 1024;
const MAX_BACKUP_CONTACTS = 50_000;

export interface BackupPayload {
  identity: unknown;
  contacts: Contact[];
  settings: Settings;
  exportedAt: number;
}

interface Envelope {
  kdf: ScryptParams & { salt: string };
  salt: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

function backupAd(kdf: ScryptParams & { salt: string }): Uint8Array {
  return utf8ToBytes(`${BACKUP_FORMAT}/v${BACKUP_VERSION}/scrypt/${kdf.N}/${kdf.r}/${kdf.p}/${kdf.salt}`);
}

export async function createBackup(payload: BackupPayload, passphrase: string, params: ScryptParams, random: RandomSource): Promise<string> {
  const salt = random(16);
  const kdf = { N: params.N, r: params.r, p: params.p, salt: bytesToBase64(salt) };
  const key = await deriveKek(passphrase, salt, params);
  const nonce = random(NONCE_BYTES);
  const ct = xchacha20poly1305(key, nonce, backupAd(kdf)).encrypt(utf8ToBytes(JSON.stringify(payload)));
  key.fill(0);
  return JSON.stringify({
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    kdf: { name: 'scrypt', ...kdf },
    nonce: bytesToBase64(nonce),
    ciphertext: bytesToBase64(ct),
  });
}

const malformed = (detail: string): { ok: false; error: BackupError } => err({ code: 'backup-malformed', detail });

/** Parses and bounds-checks the envelope. No key derivation happens here. */
export function parseBackupEnvelope(text: unknown): Result<Envelope, BackupError> {
  if (typeof text !== 'string') return malformed('backup is not text');
  if (text.length > MAX_BACKUP_CHARS) return err({ code: 'backup-too-large', detail: `more than ${MAX_BACKUP_CHARS} characters` });
  const parsed = parseJson(text);
  if (!parsed.ok) return malformed('not JSON (truncated?)');
  const v = parsed.value;
  if (!isPlainObject(v)) return malformed('not a JSON object');
  if (v.format !== BACKUP_FORMAT) return err({ code: 'backup-unsupported', detail: 'not a Veil backup' });
  if (!isSafeInt(v.version, 1, Number.MAX_SAFE_INTEGER)) return malformed('version malformed');
  if (v.version !== BACKUP_VERSION) return err({ code: 'backup-unsupported', detail: `backup version ${v.version}` });
  const kdf = v.kdf;
  if (!isPlainObject(kdf)) return malformed('kdf missing');
  if (kdf.name !== 'scrypt') return err({ code: 'backup-kdf-params', detail: 'unknown kdf' });
  const params = validateScryptParams(kdf);
  if (!params.ok) return err({ code: 'backup-kdf-params', detail: params.error });
  const salt = base64ToBytes(kdf.salt, 64);
  if (!salt || salt.length < 16) return err({ code: 'backup-kdf-params', detail: 'salt malformed' });
  const nonce = base64ToBytes(v.nonce, NONCE_BYTES);
  if (!nonce || nonce.length !== NONCE_BYTES) return malformed('nonce malformed');
  if (typeof v.ciphertext === 'string' && v.ciphertext.length > Math.ceil(MAX_CIPHERTEXT_BYTES / 3) * 4) {
    return err({ code: 'backup-too-large', detail: 'ciphertext too large' });
  }
  const ciphertext = base64ToBytes(v.ciphertext, MAX_CIPHERTEXT_BYTES);
  if (!ciphertext || ciphertext.length < 16) return malformed('ciphertext malformed or truncated');
  return ok({ kdf: { ...params.value, salt: kdf.salt as string }, salt, nonce, ciphertext });
}

export function validatePayload(v: unknown): Result<BackupPayload, BackupError> {
  if (!isPlainObject(v)) return malformed('payload not an object');
  if (!('identity' in v)) return malformed('identity missing');
  if (v.identity !== null && !checkOpaque(v.identity).ok) return malformed('identity malformed');
  const contacts = validateContactList(v.contacts, MAX_BACKUP_CONTACTS);
  if (!contacts.ok) return malformed(contacts.error);
  const seen = new Set<string>();
  const perSite = new Map<string, number>();
  for (const c of contacts.value) {
    const id = JSON.stringify([c.site, c.handle]);
    if (seen.has(id)) return malformed('duplicate contact');
    seen.add(id);
    perSite.set(c.site, (perSite.get(c.site) ?? 0) + 1);
  }
  if (perSite.size > LIMITS.sites || [...perSite.values()].some((n) => n > LIMITS.contactsPerSite)) return malformed('too many contacts');
  const settings = validateSettings(v.settings);
  if (!settings.ok) return malformed(settings.error);
  if (!isSafeInt(v.exportedAt, 0, 8.64e15)) return malformed('exportedAt malformed');
  return ok({ identity: v.identity, contacts: contacts.value, settings: settings.value, exportedAt: v.exportedAt });
}

/** Derives the key (bounded cost) and decrypts; wrong passphrase and tampering look the same. */
export async function decryptBackup(text: unknown, passphrase: string): Promise<Result<BackupPayload, BackupError>> {
  const env = parseBackupEnvelope(text);
  if (!env.ok) return env;
  const { kdf, salt, nonce, ciphertext } = env.value;
  const key = await deriveKek(passphrase, salt, kdf);
  let pt: Uint8Array;
  try {
    pt = xchacha20poly1305(key, nonce, backupAd(kdf)).decrypt(ciphertext);
  } catch {
    return err({ code: 'backup-wrong-passphrase' });
  } finally {
    key.fill(0);
  }
  const textPt = decodeUtf8(pt);
  if (textPt === null) return malformed('payload is not UTF-8');
  const parsed = parseJson(textPt);
  if (!parsed.ok) return malformed('payload is not JSON');
  return validatePayload(parsed.value);
}

/** JSON with sorted keys, to compare opaque identities independent of key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface BackupPreview {
  /** none: the backup has no identity. new: we have none, it will be restored. same: identical.
   *  differs: restoring it requires `replaceIdentity: true` after the user saw this. */
  identity: 'none' | 'new' | 'same' | 'differs';
  newContacts: Array<{ site: string; handle: string; fingerprint: string; verified: boolean }>;
  /** Same site+handle, different key. The local key is KEPT; the UI should warn and offer verification. */
  changedKeys: Array<{ site: string; handle: string; localFingerprint: string; backupFingerprint: string }>;
  /** Same key; backup says verified, local does not: import marks them verified. */
  newlyVerified: Array<{ site: string; handle: string }>;
  unchangedContacts: number;
  settingsChanged: Array<keyof Settings>;
  exportedAt: number;
}

export function previewImport(payload: BackupPayload, current: { identity: unknown; contacts: Contact[]; settings: Settings }): BackupPreview {
  let identity: BackupPreview['identity'];
  if (payload.identity === null) identity = 'none';
  else if (current.identity === null) identity = 'new';
  else identity = canonicalJson(current.identity) === canonicalJson(payload.identity) ? 'same' : 'differs';
  const local = new Map(current.contacts.map((c) => [JSON.stringify([c.site, c.handle]), c]));
  const preview: BackupPreview = {
    identity,
    newContacts: [],
    changedKeys: [],
    newlyVerified: [],
    unchangedContacts: 0,
    settingsChanged: (Object.keys(payload.settings) as Array<keyof Settings>).filter((k) => payload.settings[k] !== current.settings[k]),
    exportedAt: payload.exportedAt,
  };
  for (const c of payload.contacts) {
    const mine = local.get(JSON.stringify([c.site, c.handle]));
    if (!mine) preview.newContacts.push({ site: c.site, handle: c.handle, fingerprint: c.fingerprint, verified: c.verified });
    else if (mine.fingerprint !== c.fingerprint) {
      preview.changedKeys.push({ site: c.site, handle: c.handle, localFingerprint: mine.fingerprint, backupFingerprint: c.fingerprint });
    } else if (c.verified && !mine.verified && !mine.keyChanged) preview.newlyVerified.push({ site: c.site, handle: c.handle });
    else preview.unchangedContacts++;
  }
  return preview;
}
