/**
 * The background's one Keyring, opened lazily over browser.storage. A restarted service worker
 * opens it again; the keyring resumes from storage.session while it has not auto-locked.
 */
import { browser } from 'wxt/browser';
import { ConversationStore } from '../../lib/chat/store';
import { Keyring, type KeyValueStore } from '../../lib/keyring';

function adapt(area: {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}): KeyValueStore {
  return { get: (k) => area.get(k), set: (i) => area.set(i), remove: (k) => area.remove(k) };
}

let opening: Promise<Keyring> | null = null;

export class KeyringUnavailable extends Error {}

/** Resolves to the keyring, or rejects with KeyringUnavailable when storage is corrupt. */
export function getKeyring(): Promise<Keyring> {
  opening ??= (async () => {
    // Only Veil's trusted contexts may read storage.session (it holds the unlocked data key).
    await browser.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);
    const r = await Keyring.open({ local: adapt(browser.storage.local), session: adapt(browser.storage.session) });
    if (!r.ok) {
      opening = null;
      throw new KeyringUnavailable(`Veil's storage could not be read (${r.error.code}). Nothing was deleted.`);
    }
    return r.value;
  })();
  return opening;
}

let conversations: Promise<ConversationStore> | null = null;

/** The one conversation store, over the one keyring (rejects as getKeyring does). */
export function getConversations(): Promise<ConversationStore> {
  conversations ??= getKeyring().then((kr) => new ConversationStore(kr));
  conversations.catch(() => (conversations = null));
  return conversations;
}
