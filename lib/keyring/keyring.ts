/**
 * Keyring: the background's single entry point to private keys, session state, contacts,
 * settings and the plaintext cache. Pure logic over two injected stores:
 *   local   — browser.storage.local (durable; everything secret in it is sealed under the data key)
 *   session — browser.storage.session (memory-only in the browser, cleared on browser restart; set
 *             its access level to trusted contexts only). Holds the unlocked data key so a
 *             restarted service worker stays unlocked until auto-lock.
 *
 * Lifecycle
 *   const r = await Keyring.open({ local, session, onStateChange });   // never throws; r.ok false => show error
 *   kr.state                       'uninitialized' | 'locked' | 'unlocked'
 *   await kr.initialize(passphrase | null)                 // first run
 *   await kr.unlock(passphrase | null)                     // runs schema migrations if needed
 *   await kr.lock()
 *   await kr.changePassphrase(current, next, { origin: 'user' })   // null = no passphrase
 *   await kr.checkAutoLock()       // call from an alarm; every other call also checks first
 *   kr.nextAutoLockCheck()         // when to schedule that alarm
 *
 * Data (every call returns Result<T>; while locked, { ok: false, error: { code: 'locked' } })
 *   getSettings() / updateSettings(patch, { origin: 'user' })
 *   getIdentity() / setIdentity(value, { replace?: true })         // refuses to overwrite by default
 *   observePeerKey(site, handle, key, now?) -> { status: 'new-contact'|'same'|'key-changed', contact }
 *   getContact / listContacts(site?) / canSend(site, handle)
 *   acceptKeyChange(site, handle, fingerprint, { origin: 'user' })
 *   markVerified(site, handle, fingerprint, { origin: 'user' })
 *   getSession(ref) / putSession(ref, state) / deleteSession(ref) / listSessions()
 *     putSession resolves after the write is acknowledged: await it before sending.
 *   getConversation(ref) / putConversation(ref, value) / deleteConversation(ref) / listConversations()
 *     one opaque record per (site, conversation), whoever the peers are
 *   cachePut(input) / cacheGet({ digest }) / forgetConversation(site, conversation)
 *   applyRetention() / clearCache({ origin: 'user' })
 *   exportBackup(passphrase, { origin: 'user' }) -> file text
 *   previewBackup(text, passphrase) -> BackupPreview   (show it to the user)
 *   applyBackup(preview, { origin: 'user', replaceIdentity?: true })
 *
 * `{ origin: 'user' }` marks actions only a person may trigger from Veil's own extension pages;
 * the background must never pass it for a request that came from a content script.
 *
 * Calls are serialized (one at a time) so concurrent messages cannot interleave half-written
 * state. Corrupt or future-version storage yields a typed error and nothing is deleted.
 */
import { shouldAutoLock, nextAutoLockCheck } from './auto-lock.ts';
import { createBackup, decryptBackup, previewImport, type BackupPreview, type BackupPayload } from './backup.ts';
import { ContactBook, isUserOrigin, type ObserveStatus, type SendPermission, type UserOrigin } from './contacts.ts';
import { base64ToBytes, bytesToBase64, equalBytes } from '../bytes.ts';
import { isPlainObject, isSafeInt } from './encoding.ts';
import { migrate } from './migrations.ts';
import { PlaintextCache, type CachedMessage, type CacheInput } from './plaintext-cache.ts';
import { RecordIO } from './records.ts';
import { err, ok } from '../result.ts';
import { corrupt, describeError, type KeyringError, type Result } from './errors.ts';
import {
  CURRENT_SCHEMA,
  DEFAULT_SETTINGS,
  READABLE,
  RECORD_NAMES,
  ROOT_FORMAT,
  SESSION_KEYS,
  STORAGE_KEYS,
  validateRoot,
  validateSettings,
  type Contact,
  type RootRecord,
  type Settings,
} from './schema.ts';
import { CONVERSATION_KIND, IdentityStore, KeyedRecords, SESSION_KIND, type ConversationRef, type SessionRef } from './sessions.ts';
import { storeGet, storeRemove, storeSet, type KeyValueStore } from './store.ts';
import {
  createKeySlot,
  DATA_KEY_BYTES,
  DEFAULT_SCRYPT,
  defaultRandom,
  keyCheckValue,
  openKeySlot,
  openRecord,
  sealRecord,
  type RandomSource,
  type ScryptParams,
} from './vault.ts';

export interface KeyringOptions {
  local: KeyValueStore;
  session: KeyValueStore;
  now?: () => number;
  random?: RandomSource;
  /** scrypt parameters for new passphrases and backups (default DEFAULT_SCRYPT). */
  kdfParams?: ScryptParams;
  /**
   * Told after every change between locked and unlocked, whatever caused it (unlock, lock,
   * auto-lock found due on any call). Called outside the keyring's queue; never awaited.
   */
  onStateChange?: (state: 'locked' | 'unlocked') => void;
}

export type KeyringState = 'uninitialized' | 'locked' | 'unlocked';

interface Unlocked {
  dataKey: Uint8Array;
  io: RecordIO;
  settings: Settings;
  identity: IdentityStore;
  contacts: ContactBook;
  sessions: KeyedRecords<SessionRef>;
  conversations: KeyedRecords<ConversationRef>;
  cache: PlaintextCache;
  lastActivity: number;
  lastPersistedActivity: number;
}

export interface ImportOutcome {
  identityRestored: boolean;
  contactsAdded: number;
  settingsApplied: boolean;
}

/** Persist lastActivity to the session store at most this often (it is a write per call). */
const ACTIVITY_PERSIST_MS = 30_000;
/** Records whose presence without a root means the root was lost, not a fresh install. */
const FIXED_RECORD_KEYS = [
  STORAGE_KEYS.identity,
  STORAGE_KEYS.settings,
  STORAGE_KEYS.contactsV1,
  STORAGE_KEYS.contactsIndex,
  STORAGE_KEYS.sessionsIndex,
  STORAGE_KEYS.conversationsIndex,
  STORAGE_KEYS.cacheIndex,
];

const LOCKED: { ok: false; error: KeyringError } = { ok: false, error: { code: 'locked' } };
const NOT_USER: { ok: false; error: KeyringError } = { ok: false, error: { code: 'not-user-origin' } };

export class Keyring {
  private root: RootRecord | null;
  private unlocked: Unlocked | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly issuedPreviews = new WeakMap<BackupPreview, BackupPayload>();
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly kdfParams: ScryptParams;
  private readonly onStateChange: KeyringOptions['onStateChange'];

  private constructor(
    private readonly local: KeyValueStore,
    private readonly session: KeyValueStore,
    root: RootRecord | null,
    opts: KeyringOptions,
  ) {
    this.root = root;
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? defaultRandom;
    this.kdfParams = opts.kdfParams ?? DEFAULT_SCRYPT;
    this.onStateChange = opts.onStateChange;
  }

  /**
   * Reads and validates the root, then tries to resume from the session store (restarted
   * background) or, for a vault without passphrase, unlocks directly.
   */
  static async open(opts: KeyringOptions): Promise<Result<Keyring>> {
    try {
      const got = await storeGet(opts.local, [STORAGE_KEYS.root, ...FIXED_RECORD_KEYS]);
      if (!got.ok) return got;
      let root: RootRecord | null = null;
      if (STORAGE_KEYS.root in got.value) {
        const r = validateRoot(got.value[STORAGE_KEYS.root]);
        if (!r.ok) return r;
        root = r.value;
      } else if (FIXED_RECORD_KEYS.some((k) => k in got.value)) {
        return corrupt('root', 'root record missing but keyring records exist');
      }
      const kr = new Keyring(opts.local, opts.session, root, opts);
      if (root) {
        const resumed = await kr.resumeFromSession();
        if (!resumed.ok) return resumed;
        if (!kr.unlocked && root.slot.kind === 'plain') {
          const u = await kr.unlockWith(null);
          if (!u.ok) return u;
        }
      }
      return ok(kr);
    } catch (e) {
      return err({ code: 'internal', detail: describeError(e) });
    }
  }

  get state(): KeyringState {
    if (!this.root) return 'uninitialized';
    return this.unlocked ? 'unlocked' : 'locked';
  }

  /** null before initialization. */
  get hasPassphrase(): boolean | null {
    return this.root ? this.root.slot.kind === 'passphrase' : null;
  }

  /** Runs `fn` after every earlier call finished; converts unexpected exceptions to 'internal'. */
  private run<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
    const next = this.queue.then(async () => {
      try {
        return await fn();
      } catch (e) {
        return err<KeyringError>({ code: 'internal', detail: describeError(e) });
      }
    });
    this.queue = next;
    return next;
  }

  /** Runs `fn` with the unlocked state, after the auto-lock check and recording activity. */
  private withUnlocked<T>(fn: (u: Unlocked) => Promise<Result<T>>): Promise<Result<T>> {
    return this.run(async () => {
      if (await this.autoLockIfDue()) return LOCKED;
      const u = this.unlocked;
      if (!u) return LOCKED;
      await this.noteActivity(u);
      return fn(u);
    });
  }

  private async noteActivity(u: Unlocked): Promise<void> {
    const now = this.now();
    u.lastActivity = now;
    if (now - u.lastPersistedActivity >= ACTIVITY_PERSIST_MS) {
      const w = await storeSet(this.session, { [SESSION_KEYS.lastActivity]: now });
      if (w.ok) u.lastPersistedActivity = now;
    }
  }

  private async autoLockIfDue(): Promise<boolean> {
    const u = this.unlocked;
    if (!u || !shouldAutoLock(u.lastActivity, this.now(), u.settings.autoLockMinutes)) return false;
    await this.lockNow();
    return true;
  }

  private async lockNow(): Promise<void> {
    const u = this.unlocked;
    this.unlocked = null;
    if (u) {
      u.io.wipe();
      u.dataKey.fill(0);
    }
    await storeRemove(this.session, [SESSION_KEYS.dataKey, SESSION_KEYS.lastActivity]);
    if (u) this.tell('locked');
  }

  private tell(state: 'locked' | 'unlocked'): void {
    const listener = this.onStateChange;
    if (!listener) return;
    queueMicrotask(() => {
      try {
        listener(state);
      } catch {
        // A listener's failure is its own; the keyring's state is already settled.
      }
    });
  }

  private async resumeFromSession(): Promise<Result<void>> {
    const got = await storeGet(this.session, [SESSION_KEYS.dataKey, SESSION_KEYS.lastActivity]);
    if (!got.ok) return got;
    const key = base64ToBytes(got.value[SESSION_KEYS.dataKey], DATA_KEY_BYTES);
    const last = got.value[SESSION_KEYS.lastActivity];
    // A missing or malformed session entry just means "locked"; it is not durable data.
    if (!key || key.length !== DATA_KEY_BYTES || !isSafeInt(last, 0, 8.64e15)) return ok(undefined);
    const u = await this.activate(key, last);
    if (!u.ok) {
      // A session key that does not match this vault (e.g. storage replaced): stay locked.
      if (u.error.code === 'wrong-passphrase') return ok(undefined);
      return u;
    }
    if (shouldAutoLock(last, this.now(), u.value.settings.autoLockMinutes)) {
      this.unlocked = u.value;
      await this.lockNow();
    }
    return ok(undefined);
  }

  /**
   * Verifies `dataKey` against the root's key check, migrates, loads settings and the cache index,
   * and installs the unlocked state. On any failure the key is wiped and we stay locked.
   */
  private async activate(dataKey: Uint8Array, lastActivity: number): Promise<Result<Unlocked>> {
    const root = this.root;
    if (!root) return err({ code: 'not-initialized' });
    const check = openRecord(dataKey, RECORD_NAMES.keyCheck, root.check, READABLE.keyCheck);
    if (!check.ok || check.value.value !== keyCheckValue()) {
      dataKey.fill(0);
      return err({ code: 'wrong-passphrase' });
    }
    const io = new RecordIO(this.local, dataKey, this.random);
    const fail = <T>(r: { ok: false; error: KeyringError }): Result<T> => {
      io.wipe();
      dataKey.fill(0);
      return r;
    };
    const migrated = await migrate(root, io, CURRENT_SCHEMA);
    if (!migrated.ok) return fail(migrated);
    this.root = migrated.value;
    const s = await io.read(STORAGE_KEYS.settings, RECORD_NAMES.settings, READABLE.settings);
    if (!s.ok) return fail(s);
    let settings = DEFAULT_SETTINGS;
    if (s.value) {
      const v = validateSettings(s.value.value);
      if (!v.ok) return fail(corrupt(RECORD_NAMES.settings, v.error));
      settings = v.value;
    }
    const cache = new PlaintextCache(io);
    const idx = await cache.loadIndex();
    if (!idx.ok) return fail(idx);
    const u: Unlocked = {
      dataKey,
      io,
      settings,
      identity: new IdentityStore(io),
      contacts: new ContactBook(io),
      sessions: new KeyedRecords(io, SESSION_KIND),
      conversations: new KeyedRecords(io, CONVERSATION_KIND),
      cache,
      lastActivity,
      lastPersistedActivity: lastActivity,
    };
    this.unlocked = u;
    return ok(u);
  }

  private async unlockWith(passphrase: string | null): Promise<Result<void>> {
    if (!this.root) return err({ code: 'not-initialized' });
    if (this.unlocked) return ok(undefined);
    const key = await openKeySlot(this.root.slot, passphrase);
    if (!key.ok) return key;
    return this.startSession(key.value);
  }

  /** Activates with a verified-by-check key and records it in the session store. */
  private async startSession(dataKey: Uint8Array): Promise<Result<void>> {
    const now = this.now();
    const u = await this.activate(dataKey, now);
    if (!u.ok) return u;
    // If this write fails we are still unlocked in memory; only resume-after-restart is lost.
    await storeSet(this.session, { [SESSION_KEYS.dataKey]: bytesToBase64(u.value.dataKey), [SESSION_KEYS.lastActivity]: now });
    this.tell('unlocked');
    return ok(undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /** First run: creates the data key, optional passphrase slot and default settings. */
  initialize(passphrase: string | null): Promise<Result<void>> {
    return this.run(async () => {
      if (this.root) return err({ code: 'already-initialized' });
      if (passphrase !== null && (typeof passphrase !== 'string' || passphrase.length === 0)) {
        return err({ code: 'invalid-argument', detail: 'empty passphrase (use null for none)' });
      }
      const dataKey = this.random(DATA_KEY_BYTES);
      const slot = await createKeySlot(dataKey, passphrase, this.kdfParams, this.random);
      const root: RootRecord = {
        format: ROOT_FORMAT,
        schema: CURRENT_SCHEMA,
        slot,
        check: sealRecord(dataKey, RECORD_NAMES.keyCheck, CURRENT_SCHEMA, keyCheckValue(), this.random),
      };
      const settings = sealRecord(dataKey, RECORD_NAMES.settings, CURRENT_SCHEMA, DEFAULT_SETTINGS, this.random);
      const w = await storeSet(this.local, { [STORAGE_KEYS.settings]: settings, [STORAGE_KEYS.root]: root });
      if (!w.ok) return w;
      this.root = root;
      return this.startSession(dataKey);
    });
  }

  /** Wrong passphrase: 'wrong-passphrase', state and storage unchanged. */
  unlock(passphrase: string | null): Promise<Result<void>> {
    return this.run(() => this.unlockWith(passphrase));
  }

  lock(): Promise<Result<void>> {
    return this.run(async () => {
      await this.lockNow();
      return ok(undefined);
    });
  }

  /** Locks if idle for longer than the setting. Returns whether it locked. */
  async checkAutoLock(): Promise<boolean> {
    const r = await this.run(async () => ok(await this.autoLockIfDue()));
    return r.ok && r.value;
  }

  /** When the caller should call checkAutoLock next; null if locked or auto-lock is off. */
  nextAutoLockCheck(): number | null {
    const u = this.unlocked;
    return u ? nextAutoLockCheck(u.lastActivity, u.settings.autoLockMinutes) : null;
  }

  /**
   * Sets, changes or removes the passphrase (null = none). Requires the current one (null if
   * none) even while unlocked, so someone at an unlocked browser cannot strip it. Only the key
   * slot is rewritten; the data key and every record stay as they are.
   */
  changePassphrase(current: string | null, next: string | null, origin: UserOrigin): Promise<Result<void>> {
    return this.withUnlocked(async (u) => {
      if (!isUserOrigin(origin)) return NOT_USER;
      if (next !== null && (typeof next !== 'string' || next.length === 0)) {
        return err({ code: 'invalid-argument', detail: 'empty passphrase (use null for none)' });
      }
      const root = this.root;
      if (!root) return err({ code: 'not-initialized' });
      const cur = await openKeySlot(root.slot, current);
      if (!cur.ok) return cur;
      const matches = equalBytes(cur.value, u.dataKey);
      cur.value.fill(0);
      if (!matches) return err({ code: 'wrong-passphrase' });
      const slot = await createKeySlot(u.dataKey, next, this.kdfParams, this.random);
      const nextRoot: RootRecord = { ...root, slot };
      const w = await storeSet(this.local, { [STORAGE_KEYS.root]: nextRoot });
      if (!w.ok) return w;
      this.root = nextRoot;
      return ok(undefined);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Settings

  getSettings(): Promise<Result<Settings>> {
    return this.withUnlocked(async (u) => ok({ ...u.settings }));
  }

  /** Lowering the cache cap or retention takes effect immediately. */
  updateSettings(patch: Partial<Settings>, origin: UserOrigin): Promise<Result<Settings>> {
    return this.withUnlocked(async (u) => {
      if (!isUserOrigin(origin)) return NOT_USER;
      if (!isPlainObject(patch)) return err({ code: 'invalid-argument', detail: 'patch must be an object' });
      const v = validateSettings({ ...u.settings, ...patch });
      if (!v.ok) return err({ code: 'invalid-argument', detail: v.error });
      return this.writeSettings(u, v.value);
    });
  }

  private async writeSettings(u: Unlocked, settings: Settings): Promise<Result<Settings>> {
    const w = await u.io.write({ [STORAGE_KEYS.settings]: u.io.seal(RECORD_NAMES.settings, settings) });
    if (!w.ok) return w;
    u.settings = settings;
    const cap = await u.cache.enforceCap(settings.cacheMaxBytes);
    if (!cap.ok) return cap;
    const ret = await u.cache.applyRetention(this.now(), settings.retentionDays);
    if (!ret.ok) return ret;
    return ok({ ...settings });
  }

  // ---------------------------------------------------------------------------------------------
  // Identity and sessions

  /** The stored identity (opaque JSON from lib/protocol), or null if none yet. */
  getIdentity(): Promise<Result<unknown>> {
    return this.withUnlocked((u) => u.identity.get());
  }

  setIdentity(identity: unknown, opts: { replace?: boolean } = {}): Promise<Result<void>> {
    return this.withUnlocked((u) => u.identity.put(identity, opts.replace === true));
  }

  getSession(ref: SessionRef): Promise<Result<unknown>> {
    return this.withUnlocked((u) => u.sessions.get(ref));
  }

  /** Resolves only after the state is durably written. */
  putSession(ref: SessionRef, state: unknown): Promise<Result<void>> {
    return this.withUnlocked((u) => u.sessions.put(ref, state));
  }

  deleteSession(ref: SessionRef): Promise<Result<void>> {
    return this.withUnlocked((u) => u.sessions.delete(ref));
  }

  listSessions(): Promise<Result<SessionRef[]>> {
    return this.withUnlocked(async (u) => {
      const r = await u.sessions.list();
      return r.ok ? ok(r.value.map((x) => ({ ...x }))) : r;
    });
  }

  /** The record kept for a whole conversation (opaque JSON), or null if none yet. */
  getConversation(ref: ConversationRef): Promise<Result<unknown>> {
    return this.withUnlocked((u) => u.conversations.get(ref));
  }

  /** Resolves only after the record is durably written. */
  putConversation(ref: ConversationRef, value: unknown): Promise<Result<void>> {
    return this.withUnlocked((u) => u.conversations.put(ref, value));
  }

  deleteConversation(ref: ConversationRef): Promise<Result<void>> {
    return this.withUnlocked((u) => u.conversations.delete(ref));
  }

  listConversations(): Promise<Result<ConversationRef[]>> {
    return this.withUnlocked(async (u) => {
      const r = await u.conversations.list();
      return r.ok ? ok(r.value.map((x) => ({ ...x }))) : r;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Contacts

  observePeerKey(site: string, handle: string, key: Uint8Array, now?: number): Promise<Result<{ status: ObserveStatus; contact: Contact }>> {
    return this.withUnlocked((u) => u.contacts.observe(site, handle, key, now ?? this.now()));
  }

  getContact(site: string, handle: string): Promise<Result<Contact | undefined>> {
    return this.withUnlocked((u) => u.contacts.get(site, handle));
  }

  listContacts(site?: string): Promise<Result<Contact[]>> {
    return this.withUnlocked((u) => u.contacts.list(site));
  }

  canSend(site: string, handle: string): Promise<Result<SendPermission>> {
    return this.withUnlocked((u) => u.contacts.canSend(site, handle));
  }

  acceptKeyChange(site: string, handle: string, fingerprint: string, origin: UserOrigin): Promise<Result<Contact>> {
    return this.withUnlocked((u) => u.contacts.acceptKeyChange(site, handle, fingerprint, origin));
  }

  markVerified(site: string, handle: string, fingerprint: string, origin: UserOrigin): Promise<Result<Contact>> {
    return this.withUnlocked((u) => u.contacts.markVerified(site, handle, fingerprint, origin));
  }

  // ---------------------------------------------------------------------------------------------
  // Plaintext cache

  /** Caches a sent or received message; `time` defaults to now. Evicts LRU entries over the cap. */
  cachePut(input: CacheInput): Promise<Result<CachedMessage>> {
    return this.withUnlocked((u) => u.cache.put(input, this.now(), u.settings.cacheMaxBytes));
  }

  cacheGet(query: { digest: string }): Promise<Result<CachedMessage | null>> {
    return this.withUnlocked((u) => u.cache.get(query, this.now()));
  }

  forgetConversation(site: string, conversation: string): Promise<Result<number>> {
    return this.withUnlocked((u) => u.cache.forgetConversation(site, conversation));
  }

  /** Deletes cached messages older than the retention setting. Call daily (alarm). */
  applyRetention(): Promise<Result<number>> {
    return this.withUnlocked((u) => u.cache.applyRetention(this.now(), u.settings.retentionDays));
  }

  /** User action; also the way out of a cache shard that fails to authenticate. */
  clearCache(origin: UserOrigin): Promise<Result<void>> {
    return this.withUnlocked(async (u) => (isUserOrigin(origin) ? u.cache.clear() : NOT_USER));
  }

  cacheStats(): Promise<Result<{ messages: number; bytes: number; loadedShards: number }>> {
    return this.withUnlocked(async (u) =>
      ok({ messages: u.cache.totalCount(), bytes: u.cache.totalBytes(), loadedShards: u.cache.loadedShardCount() }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Backup

  /** Identity, contacts and settings, encrypted under `passphrase` (scrypt, kdfParams). */
  exportBackup(passphrase: string, origin: UserOrigin): Promise<Result<string>> {
    return this.withUnlocked(async (u) => {
      if (!isUserOrigin(origin)) return NOT_USER;
      if (typeof passphrase !== 'string' || passphrase.length === 0) return err({ code: 'invalid-argument', detail: 'backup needs a passphrase' });
      const identity = await u.identity.get();
      if (!identity.ok) return identity;
      const contacts = await u.contacts.list();
      if (!contacts.ok) return contacts;
      const payload: BackupPayload = { identity: identity.value, contacts: contacts.value, settings: u.settings, exportedAt: this.now() };
      return ok(await createBackup(payload, passphrase, this.kdfParams, this.random));
    });
  }

  /** Decrypts and validates a backup file and describes what importing it would change. */
  previewBackup(text: unknown, passphrase: string): Promise<Result<BackupPreview>> {
    return this.withUnlocked(async (u) => {
      if (typeof passphrase !== 'string') return err({ code: 'invalid-argument', detail: 'passphrase must be a string' });
      const payload = await decryptBackup(text, passphrase);
      if (!payload.ok) return payload;
      const identity = await u.identity.get();
      if (!identity.ok) return identity;
      const contacts = await u.contacts.list();
      if (!contacts.ok) return contacts;
      const preview = previewImport(payload.value, { identity: identity.value, contacts: contacts.value, settings: u.settings });
      this.issuedPreviews.set(preview, payload.value);
      return ok(preview);
    });
  }

  /**
   * Applies a preview returned by previewBackup on this instance. An existing, different identity
   * is replaced only with `replaceIdentity: true` (after the user saw preview.identity ===
   * 'differs'); otherwise it is kept and contacts/settings are still imported.
   */
  applyBackup(preview: BackupPreview, opts: { origin: 'user'; replaceIdentity?: boolean }): Promise<Result<ImportOutcome>> {
    return this.withUnlocked(async (u) => {
      if (!isUserOrigin(opts)) return NOT_USER;
      const payload = this.issuedPreviews.get(preview);
      if (!payload) return err({ code: 'invalid-argument', detail: 'preview was not produced by previewBackup on this keyring' });
      let identityRestored = false;
      if (payload.identity !== null) {
        const r = await u.identity.put(payload.identity, opts.replaceIdentity === true);
        if (r.ok) identityRestored = true;
        else if (r.error.code !== 'identity-exists') return r;
      }
      const added = await u.contacts.addRestored(payload.contacts);
      if (!added.ok) return added;
      const s = await this.writeSettings(u, payload.settings);
      if (!s.ok) return s;
      this.issuedPreviews.delete(preview);
      return ok({ identityRestored, contactsAdded: added.value, settingsApplied: true });
    });
  }
}
