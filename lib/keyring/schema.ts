/**
 * Storage layout and shape validation (every value read back from storage is treated as hostile).
 *
 * Schema history:
 *   v1: root + identity + settings {autoLockMinutes, retentionDays, cacheMaxBytes} + ONE record
 *       "contacts" holding every contact of every site + sessions + plaintext cache.
 *   v2: contacts split per site ("contacts/site/<site>", hidden storage key) plus a
 *       "contacts-index" record listing sites, so observing one peer rewrites one site's record;
 *       settings gain `strictCalls`.
 *   v3: per-conversation records ("conversation/[site, conversation]", hidden storage key) with
 *       their own "conversations-index"; the text engine's per-conversation meta moves there
 *       from the session record it used to keep under the placeholder peer ' '. Cache entries
 *       are tagged ('text' or 'part'); v1/v2 cache shards are read as they are and upgraded when
 *       next written.
 *
 * Every sealed record carries its own version (authenticated in the AD); a migration rewrites
 * only records whose format changed, so the 10,000-message cache is not re-encrypted on upgrade.
 */
import { isPlainObject, isSafeInt } from './encoding.ts';
import { err, ok } from '../result.ts';
import { corrupt, type KeyringError, type Result } from './errors.ts';
import { validateKeySlot, type KeySlot, type SealedRecord } from './vault.ts';

export const CURRENT_SCHEMA = 3;
export const ROOT_FORMAT = 'veil-keyring';

export const STORAGE_KEYS = {
  root: 'veil.root',
  identity: 'veil.rec.identity',
  settings: 'veil.rec.settings',
  contactsV1: 'veil.rec.contacts',
  contactsIndex: 'veil.rec.contacts-index',
  sessionsIndex: 'veil.rec.sessions-index',
  conversationsIndex: 'veil.rec.conversations-index',
  cacheIndex: 'veil.rec.cache-index',
  /** Prefixes of hidden (HMAC-named) records. */
  contactSitePrefix: 'veil.rec.c.',
  sessionPrefix: 'veil.rec.s.',
  conversationPrefix: 'veil.rec.v.',
  cacheShardPrefix: 'veil.rec.m.',
} as const;

export const SESSION_KEYS = {
  dataKey: 'veil.session.dataKey',
  lastActivity: 'veil.session.lastActivity',
} as const;

export const RECORD_NAMES = {
  identity: 'identity',
  settings: 'settings',
  contactsV1: 'contacts',
  contactsIndex: 'contacts-index',
  sessionsIndex: 'sessions-index',
  conversationsIndex: 'conversations-index',
  cacheIndex: 'cache-index',
  keyCheck: 'key-check',
  contactSite: (site: string) => `contacts/site/${site}`,
  session: (site: string, conversation: string, peer: string) => `session/${JSON.stringify([site, conversation, peer])}`,
  conversation: (site: string, conversation: string) => `conversation/${JSON.stringify([site, conversation])}`,
  cacheShard: (prefix: string) => `cache/shard/${prefix}`,
} as const;

/** Which sealed-record versions each reader accepts (a migration rewrites only what changed). */
export const READABLE = {
  keyCheck: [1, 2, 3],
  identity: [1, 2, 3],
  settings: [2, 3],
  contacts: [2, 3],
  sessions: [1, 2, 3],
  conversations: [3],
  cache: [1, 2, 3],
} as const;

export interface RootRecord {
  format: typeof ROOT_FORMAT;
  schema: number;
  slot: KeySlot;
  /** Sealed constant under the data key: verifies a data key restored from the session store. */
  check: SealedRecord;
}

/** Validates the root record. Unknown future versions are a distinct, typed error. */
export function validateRoot(raw: unknown): Result<RootRecord> {
  if (!isPlainObject(raw)) return corrupt('root', 'root is not an object');
  if (raw.format !== ROOT_FORMAT) return corrupt('root', 'root format marker missing');
  if (!isSafeInt(raw.schema, 1, Number.MAX_SAFE_INTEGER)) return corrupt('root', 'schema version malformed');
  if (raw.schema > CURRENT_SCHEMA) return err({ code: 'unsupported-version', found: raw.schema, supported: CURRENT_SCHEMA });
  const slot = validateKeySlot(raw.slot);
  if (!slot.ok) return corrupt('root', slot.error);
  if (!isPlainObject(raw.check)) return corrupt('root', 'key check missing');
  const check = raw.check;
  if (!isSafeInt(check.v, 1, CURRENT_SCHEMA) || typeof check.n !== 'string' || typeof check.c !== 'string') {
    return corrupt('root', 'key check malformed');
  }
  return ok({ format: ROOT_FORMAT, schema: raw.schema, slot: slot.value, check: { v: check.v, n: check.n, c: check.c } });
}

// ---------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  /** Lock after this many idle minutes; 0 = never auto-lock. */
  autoLockMinutes: number;
  /** Delete cached plaintext older than this many days; 0 = keep until evicted by size. */
  retentionDays: number;
  /** Plaintext cache size cap in bytes (JSON size of entries, before encryption). */
  cacheMaxBytes: number;
  /** Refuse calls unless every media transform is verified to be running (fail closed). */
  strictCalls: boolean;
}

export type SettingsV1 = Omit<Settings, 'strictCalls'>;

export const DEFAULT_SETTINGS: Settings = {
  autoLockMinutes: 30,
  retentionDays: 90,
  // browser.storage.local is 10 MB without unlimitedStorage; encryption + base64 inflate ~1.35x.
  cacheMaxBytes: 4 * 1024 * 1024,
  strictCalls: true,
};

export const SETTINGS_BOUNDS = {
  autoLockMinutes: [0, 7 * 24 * 60],
  retentionDays: [0, 3650],
  cacheMaxBytes: [64 * 1024, 512 * 1024 * 1024],
} as const;

function validateSettingsV1Fields(v: Record<string, unknown>): Result<SettingsV1, string> {
  const out: Partial<SettingsV1> = {};
  for (const field of ['autoLockMinutes', 'retentionDays', 'cacheMaxBytes'] as const) {
    const [min, max] = SETTINGS_BOUNDS[field];
    const value = v[field];
    if (!isSafeInt(value, min, max)) return err(`${field} must be an integer in [${min}, ${max}]`);
    out[field] = value;
  }
  return ok(out as SettingsV1);
}

export function validateSettingsV1(v: unknown): Result<SettingsV1, string> {
  if (!isPlainObject(v)) return err('settings not an object');
  return validateSettingsV1Fields(v);
}

export function validateSettings(v: unknown): Result<Settings, string> {
  if (!isPlainObject(v)) return err('settings not an object');
  const base = validateSettingsV1Fields(v);
  if (!base.ok) return base;
  if (typeof v.strictCalls !== 'boolean') return err('strictCalls must be a boolean');
  return ok({ ...base.value, strictCalls: v.strictCalls });
}

// ---------------------------------------------------------------------------------------------
// Identifiers and contacts

export const LIMITS = {
  site: 255,
  handle: 256,
  conversation: 512,
  keyBytes: 1024,
  historyPerContact: 32,
  contactsPerSite: 5000,
  sites: 1000,
  sessions: 20000,
  conversations: 20000,
} as const;

/** Sites, handles and conversation ids: non-empty, bounded, no control characters. */
export function validateId(v: unknown, max: number): v is string {
  // eslint-disable-next-line no-control-regex
  return typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f\u007f]/.test(v);
}

export function invalid(detail: string): { ok: false; error: KeyringError } {
  return err({ code: 'invalid-argument', detail });
}

export interface KeyHistoryEntry {
  key: string;
  fingerprint: string;
  firstSeen: number;
  replacedAt: number;
}

export interface Contact {
  site: string;
  handle: string;
  /** Identity public key, base64. */
  key: string;
  /** Hex SHA-256 of the key bytes (display/compare aid; safety numbers live in lib/protocol). */
  fingerprint: string;
  firstSeen: number;
  /** When the current key was first seen (differs from firstSeen after a key change). */
  keySince: number;
  /** The user compared this key out of band (safety number / SAS). Reset on any key change. */
  verified: boolean;
  /** The peer's key changed and the user has not accepted it yet: sending is blocked. */
  keyChanged: boolean;
  /** Previous keys, newest last, bounded. */
  history: KeyHistoryEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const TIME_MAX = 8.64e15;

function validateHistoryEntry(v: unknown): v is KeyHistoryEntry {
  return (
    isPlainObject(v) &&
    typeof v.key === 'string' &&
    v.key.length <= LIMITS.keyBytes * 2 &&
    typeof v.fingerprint === 'string' &&
    HEX64.test(v.fingerprint) &&
    isSafeInt(v.firstSeen, 0, TIME_MAX) &&
    isSafeInt(v.replacedAt, 0, TIME_MAX)
  );
}

export function validateContact(v: unknown): Result<Contact, string> {
  if (!isPlainObject(v)) return err('contact not an object');
  if (!validateId(v.site, LIMITS.site)) return err('contact site malformed');
  if (!validateId(v.handle, LIMITS.handle)) return err('contact handle malformed');
  if (typeof v.key !== 'string' || v.key.length === 0 || v.key.length > LIMITS.keyBytes * 2) return err('contact key malformed');
  if (typeof v.fingerprint !== 'string' || !HEX64.test(v.fingerprint)) return err('contact fingerprint malformed');
  if (!isSafeInt(v.firstSeen, 0, TIME_MAX) || !isSafeInt(v.keySince, 0, TIME_MAX)) return err('contact times malformed');
  if (typeof v.verified !== 'boolean' || typeof v.keyChanged !== 'boolean') return err('contact flags malformed');
  if (!Array.isArray(v.history) || v.history.length > LIMITS.historyPerContact) return err('contact history malformed');
  if (!v.history.every(validateHistoryEntry)) return err('contact history entry malformed');
  return ok({
    site: v.site,
    handle: v.handle,
    key: v.key,
    fingerprint: v.fingerprint,
    firstSeen: v.firstSeen,
    keySince: v.keySince,
    verified: v.verified,
    keyChanged: v.keyChanged,
    history: v.history.map((h: KeyHistoryEntry) => ({ ...h })),
  });
}

export function validateContactList(v: unknown, max: number): Result<Contact[], string> {
  if (!Array.isArray(v)) return err('contacts not an array');
  if (v.length > max) return err('too many contacts');
  const out: Contact[] = [];
  for (const c of v) {
    const r = validateContact(c);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}
