/**
 * The keyring service: keyring:*, contacts:*, backup:* and cache:* — the popup's and settings
 * page's window onto the keyring, plus the auto-lock alarm. The message table lets a person's
 * actions come only from the popup or the settings page ('user-page'), so only here do we pass
 * `{ origin: 'user' }` to the keyring.
 *
 * Nothing here keeps state that matters across a background restart except issued backup
 * previews, which are deliberately short-lived: after a restart the user picks the file again.
 */
import { bytesToHex, base64ToBytes, randomBytes } from '../../lib/bytes.ts';
import type { Contact, Keyring, KeyringError } from '../../lib/keyring';
import type { BackupPreview } from '../../lib/keyring/backup';
import { fail, ok, type Handlers, type Result } from '../../lib/messaging';
import type { SettingsView } from '../../lib/messaging/protocol';
import type { BackupPreviewView, ContactView, KeyringView, VerificationView } from '../../lib/messaging/views';
import {
  activeSessionInfo,
  fingerprint as identityFingerprint,
  formatSafetyNumber,
  generateIdentity,
  parseIdentity,
  safetyNumber,
  serializeIdentity,
  type Identity,
} from '../../lib/protocol';
import type { ConversationStore } from '../../lib/chat/store';
import type { AlarmsLike } from './platform';

export const AUTO_LOCK_ALARM = 'veil-auto-lock';
const USER = { origin: 'user' } as const;
/** Issued backup previews: few, short-lived, and bound to the keyring instance that made them. */
const PREVIEW_TTL_MS = 10 * 60_000;
const MAX_PREVIEWS = 4;

export type KeyringMessage =
  | 'keyring:state'
  | 'keyring:create'
  | 'keyring:unlock'
  | 'keyring:lock'
  | 'keyring:change-passphrase'
  | 'keyring:get-settings'
  | 'keyring:set-settings'
  | 'contacts:list'
  | 'contacts:verification'
  | 'contacts:mark-verified'
  | 'contacts:accept-key'
  | 'backup:export'
  | 'backup:preview'
  | 'backup:apply'
  | 'cache:forget-conversation'
  | 'cache:clear';

export interface KeyringServiceDeps {
  /** The background's keyring (rejects while storage cannot be read). */
  keyring: () => Promise<Keyring>;
  /** The conversation store: verification needs a session to know our own handle. */
  conversations: () => Promise<ConversationStore>;
  alarms: Pick<AlarmsLike, 'create' | 'clear'>;
  now?: () => number;
}

/** Human messages for keyring errors: the popup shows `message` as is. */
export function keyringFailure(e: KeyringError): Result<never> {
  switch (e.code) {
    case 'locked':
      return fail('locked', 'Veil is locked — nothing can be decrypted until you unlock.');
    case 'not-initialized':
      return fail('locked', 'No identity yet: create one first.');
    case 'already-initialized':
      return fail('invalid-message', 'Veil already has an identity.');
    case 'identity-exists':
      return fail('invalid-message', 'Veil already has an identity. Nothing was changed.');
    case 'wrong-passphrase':
      return fail('invalid-message', 'Wrong passphrase. Veil stays locked and nothing was changed.');
    case 'backup-wrong-passphrase':
      return fail('invalid-message', 'Wrong backup passphrase, or the file was modified. Nothing was changed.');
    case 'backup-malformed':
    case 'backup-unsupported':
    case 'backup-kdf-params':
      return fail('invalid-message', 'This is not a Veil backup this version can read. Nothing was changed.');
    case 'backup-too-large':
      return fail('invalid-message', 'This backup file is too large. Nothing was changed.');
    case 'fingerprint-mismatch':
      return fail('invalid-message', "This contact's key changed while you were comparing. Compare the new safety number.");
    case 'invalid-argument':
      return fail('invalid-message', `Not accepted: ${e.detail}.`);
    case 'not-user-origin':
      return fail('forbidden-sender', 'Only you can do this, from Veil’s own popup or settings.');
    case 'not-found':
      return fail('not-found', `Not found: ${e.detail}.`);
    case 'limit-exceeded':
      return fail('invalid-message', `Too much data: ${e.detail}.`);
    case 'corrupt':
      return fail('internal', `Veil's stored data could not be read (${e.record}). Nothing was deleted.`);
    case 'unsupported-version':
      return fail('internal', 'Veil’s storage was written by a newer version of Veil. Nothing was deleted; update Veil.');
    case 'storage-failed':
      return fail('internal', `The browser refused to save Veil's data (${e.detail}). Nothing was lost.`);
    case 'internal':
      return fail('internal', `Unexpected error (${e.detail}). Nothing was deleted.`);
  }
}


function contactView(c: Contact): ContactView {
  return {
    site: c.site,
    handle: c.handle,
    fingerprint: c.fingerprint,
    verified: c.verified,
    keyChanged: c.keyChanged,
    firstSeen: c.firstSeen,
    keySince: c.keySince,
    previousKeys: c.history.length,
  };
}

function settingsView(s: { autoLockMinutes: number; retentionDays: number; strictCalls: boolean }): SettingsView {
  return { autoLockMinutes: s.autoLockMinutes, retentionDays: s.retentionDays, strictCalls: s.strictCalls };
}

function previewView(previewId: string, p: BackupPreview): BackupPreviewView {
  return {
    previewId,
    // A backup without an identity leaves ours as it is: for the user that is "same".
    identity: p.identity === 'none' ? 'same' : p.identity,
    newContacts: p.newContacts.length,
    changedKeys: p.changedKeys.map(({ site, handle }) => ({ site, handle })),
    settingsChange: p.settingsChanged.length > 0,
  };
}

function newToken(): string {
  return bytesToHex(randomBytes(16));
}

function backupFileName(now: number): string {
  return `veil-backup-${new Date(now).toISOString().slice(0, 10)}.json`;
}

interface IssuedPreview {
  keyring: Keyring;
  preview: BackupPreview;
  issuedAt: number;
}

export function createKeyringService(deps: KeyringServiceDeps) {
  const now = deps.now ?? (() => Date.now());
  const previews = new Map<string, IssuedPreview>();

  /** Opens the keyring; storage that cannot be read becomes a typed error, never a throw. */
  async function open(): Promise<Result<Keyring>> {
    try {
      return ok(await deps.keyring());
    } catch (e) {
      return fail('internal', e instanceof Error ? e.message : 'Veil’s storage could not be read. Nothing was deleted.');
    }
  }

  /** Keeps exactly one alarm at the keyring's next auto-lock check (none while locked). */
  async function scheduleAutoLock(kr: Keyring): Promise<void> {
    const when = kr.nextAutoLockCheck();
    try {
      if (when === null) await deps.alarms.clear(AUTO_LOCK_ALARM);
      else await deps.alarms.create(AUTO_LOCK_ALARM, { when: Math.max(when, now() + 1000) });
    } catch {
      // Without alarms the keyring still locks on its next use (every call checks first).
    }
  }

  async function onAlarm(name: string): Promise<void> {
    if (name !== AUTO_LOCK_ALARM) return;
    const kr = await open();
    if (!kr.ok) return;
    // Locking is reported through the keyring's own hook (onLockChange below and the tabs).
    await kr.value.checkAutoLock();
    await scheduleAutoLock(kr.value);
  }

  async function readIdentity(kr: Keyring): Promise<Result<Identity | null>> {
    const r = await kr.getIdentity();
    if (!r.ok) return keyringFailure(r.error);
    if (r.value === null) return ok(null);
    const parsed = parseIdentity(r.value);
    if (!parsed.ok) return fail('internal', 'Your stored identity could not be read. Nothing was deleted.');
    return ok(parsed.value);
  }

  async function keyringView(kr: Keyring): Promise<KeyringView> {
    let fp: string | null = null;
    let autoLockMinutes: number | null = null;
    if (kr.state === 'unlocked') {
      const id = await readIdentity(kr);
      if (id.ok && id.value) fp = identityFingerprint(id.value.publicKey);
      const s = await kr.getSettings();
      if (s.ok) autoLockMinutes = s.value.autoLockMinutes;
    }
    // Read state last: the calls above may have auto-locked.
    return { state: kr.state, hasPassphrase: kr.hasPassphrase, fingerprint: kr.state === 'unlocked' ? fp : null, autoLockMinutes };
  }

  /** Runs `fn` with the keyring and reschedules the auto-lock alarm afterwards. */
  async function withKeyring<T>(fn: (kr: Keyring) => Promise<Result<T>>): Promise<Result<T>> {
    const kr = await open();
    if (!kr.ok) return kr;
    try {
      return await fn(kr.value);
    } finally {
      await scheduleAutoLock(kr.value);
    }
  }


  /** Finds a stored session with this contact whose peer key is the contact's current key. */
  async function sessionFor(identity: Identity, contact: { site: string; handle: string; key: Uint8Array }) {
    const sessions = await (await deps.conversations()).sessionsWith(contact);
    if (!sessions.ok) return null;
    const keyHex = bytesToHex(contact.key);
    let best: { selfHandle: string; sas: string | null } | null = null;
    for (const { record } of sessions.value) {
      const info = activeSessionInfo(record.state, identity);
      if (!info || bytesToHex(info.peerIdentity) !== keyHex) continue;
      const candidate = { selfHandle: record.state.ctx.selfHandle, sas: info.sas?.text ?? null };
      // Prefer a session with a SAS (interactive start) over an offline-start one.
      if (!best || (best.sas === null && candidate.sas !== null)) best = candidate;
    }
    return best;
  }

  async function verification(kr: Keyring, site: string, handle: string): Promise<Result<VerificationView>> {
    const id = await readIdentity(kr);
    if (!id.ok) return id;
    if (!id.value) return fail('not-found', 'Create your identity first.');
    const c = await kr.getContact(site, handle);
    if (!c.ok) return keyringFailure(c.error);
    if (!c.value) return fail('not-found', `No contact ${handle} on ${site}.`);
    const contact = c.value;
    const key = base64ToBytes(contact.key, 1024);
    if (!key) return fail('internal', 'This contact’s stored key could not be read. Nothing was deleted.');
    // The safety number covers both handles, and only a conversation knows our own handle on
    // this site. Without one we show no number rather than one the peer could never match.
    const session = await sessionFor(id.value, { site: contact.site, handle: contact.handle, key });
    if (!session) {
      return fail('not-found', `No conversation with ${handle} on ${site} uses this key yet: open a chat with them to compare safety numbers.`);
    }
    const digits = safetyNumber({ publicKey: id.value.publicKey, handle: session.selfHandle }, { publicKey: key, handle: contact.handle });
    return ok({
      site: contact.site,
      handle: contact.handle,
      peerFingerprint: contact.fingerprint,
      safetyNumber: formatSafetyNumber(digits),
      qrPayload: digits,
      sas: session.sas,
      verified: contact.verified,
      keyChanged: contact.keyChanged,
    });
  }

  const handlers: Handlers<KeyringMessage> = {
    'keyring:state': () => withKeyring(async (kr) => ok(await keyringView(kr))),

    'keyring:create': (data) =>
      withKeyring(async (kr) => {
        if (kr.state === 'uninitialized') {
          const init = await kr.initialize(data.passphrase);
          if (!init.ok) return keyringFailure(init.error);
        } else if (kr.state === 'locked') {
          return keyringFailure({ code: 'already-initialized' });
        }
        // Initialized but without an identity (e.g. interrupted first run): create it now.
        const existing = await readIdentity(kr);
        if (!existing.ok) return existing;
        if (existing.value) return keyringFailure({ code: 'identity-exists' });
        const identity = generateIdentity();
        const put = await kr.setIdentity(serializeIdentity(identity));
        identity.secretKey.fill(0);
        identity.dhSecretKey.fill(0);
        if (!put.ok) return keyringFailure(put.error);
        return ok(await keyringView(kr));
      }),

    'keyring:unlock': (data) =>
      withKeyring(async (kr) => {
        if (kr.state === 'uninitialized') return keyringFailure({ code: 'not-initialized' });
        const r = await kr.unlock(data.passphrase);
        if (!r.ok) return keyringFailure(r.error);
        return ok(await keyringView(kr));
      }),

    // Locking is always safe, so any Veil page may ask (a message frame's lock button, too).
    'keyring:lock': () =>
      withKeyring(async (kr) => {
        previews.clear();
        const r = await kr.lock();
        if (!r.ok) return keyringFailure(r.error);
        return ok(await keyringView(kr));
      }),

    'keyring:change-passphrase': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.changePassphrase(data.current, data.next, USER);
        if (!r.ok) {
          // Here a wrong passphrase is the *current* one; the keyring stays unlocked.
          if (r.error.code === 'wrong-passphrase') return fail('invalid-message', 'The current passphrase is wrong. Nothing was changed.');
          return keyringFailure(r.error);
        }
        return ok(await keyringView(kr));
      }),

    'keyring:get-settings': () =>
      withKeyring(async (kr) => {
        const r = await kr.getSettings();
        return r.ok ? ok(settingsView(r.value)) : keyringFailure(r.error);
      }),

    'keyring:set-settings': (data) =>
      withKeyring(async (kr) => {
        const patch: { autoLockMinutes?: number; retentionDays?: number; strictCalls?: boolean } = {};
        if (data.autoLockMinutes !== undefined) patch.autoLockMinutes = data.autoLockMinutes;
        if (data.retentionDays !== undefined) patch.retentionDays = data.retentionDays;
        if (data.strictCalls !== undefined) patch.strictCalls = data.strictCalls;
        const r = await kr.updateSettings(patch, USER);
        return r.ok ? ok(settingsView(r.value)) : keyringFailure(r.error);
      }),

    'contacts:list': () =>
      withKeyring(async (kr) => {
        const r = await kr.listContacts();
        return r.ok ? ok(r.value.map(contactView)) : keyringFailure(r.error);
      }),

    'contacts:verification': (data) =>
      withKeyring((kr) => verification(kr, data.site, data.handle)),

    'contacts:mark-verified': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.markVerified(data.site, data.handle, data.fingerprint, USER);
        return r.ok ? ok(contactView(r.value)) : keyringFailure(r.error);
      }),

    'contacts:accept-key': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.acceptKeyChange(data.site, data.handle, data.fingerprint, USER);
        return r.ok ? ok(contactView(r.value)) : keyringFailure(r.error);
      }),

    'backup:export': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.exportBackup(data.passphrase, USER);
        return r.ok ? ok({ file: r.value, fileName: backupFileName(now()) }) : keyringFailure(r.error);
      }),

    'backup:preview': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.previewBackup(data.file, data.passphrase);
        if (!r.ok) return keyringFailure(r.error);
        const t = now();
        for (const [id, p] of previews) if (t - p.issuedAt > PREVIEW_TTL_MS) previews.delete(id);
        while (previews.size >= MAX_PREVIEWS) previews.delete(previews.keys().next().value as string);
        const previewId = newToken();
        previews.set(previewId, { keyring: kr, preview: r.value, issuedAt: t });
        return ok(previewView(previewId, r.value));
      }),

    'backup:apply': (data) =>
      withKeyring(async (kr) => {
        const issued = previews.get(data.previewId);
        if (!issued || issued.keyring !== kr || now() - issued.issuedAt > PREVIEW_TTL_MS) {
          previews.delete(data.previewId);
          return fail('not-found', 'Preview expired, please select the file again.');
        }
        const r = await kr.applyBackup(issued.preview, { origin: 'user', replaceIdentity: data.replaceIdentity });
        if (!r.ok) return keyringFailure(r.error);
        previews.delete(data.previewId);
        const parts: string[] = [];
        if (r.value.identityRestored) parts.push('Identity restored from the backup');
        else if (issued.preview.identity === 'differs') parts.push('Your identity was kept (you did not choose to replace it)');
        else parts.push('Identity unchanged');
        parts.push(`${r.value.contactsAdded} contact${r.value.contactsAdded === 1 ? '' : 's'} added`);
        if (r.value.settingsApplied) parts.push('settings applied');
        return ok({ summary: `${parts.join('; ')}.` });
      }),

    'cache:forget-conversation': (data) =>
      withKeyring(async (kr) => {
        const r = await kr.forgetConversation(data.site, data.conversationId);
        return r.ok ? ok({ removed: r.value }) : keyringFailure(r.error);
      }),

    'cache:clear': () =>
      withKeyring(async (kr) => {
        const r = await kr.clearCache(USER);
        return r.ok ? ok(null) : keyringFailure(r.error);
      }),
  };

  /** Keeps the auto-lock alarm armed (a restarted background may resume unlocked). */
  async function armAutoLock(): Promise<void> {
    const kr = await open();
    if (kr.ok) await scheduleAutoLock(kr.value);
  }

  /** The keyring locked or unlocked, for whatever reason: issued previews do not outlive a lock. */
  function onLockChange(state: 'locked' | 'unlocked'): void {
    if (state === 'locked') previews.clear();
  }

  return { handlers, onAlarm, armAutoLock, onLockChange, previewCount: () => previews.size };
}

export type KeyringService = ReturnType<typeof createKeyringService>;
