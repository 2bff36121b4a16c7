/**
 * The composition root: everything the background is, assembled in one place from what the
 * browser provides (BackgroundPlatform). One keyring, one page registry, one conversation store,
 * and the services that answer messages — text, call, keyring, status — each built the same way
 * (createXService(deps) → { handlers, … }) and registered in one loop. Lock and unlock, whatever
 * causes them, reach every service through one hook (the keyring's onStateChange).
 *
 * createBackground must run synchronously in the background's first turn: listeners registered
 * later would miss the event that woke a restarted service worker.
 */
import { ConversationStore } from '../../lib/chat/store';
import { Keyring, type KeyringOptions } from '../../lib/keyring';
import { ok, registerHandlers, type BackgroundMessage, type Handlers } from '../../lib/messaging';
import { createCallService } from './call-service';
import { AUTO_LOCK_ALARM, createKeyringService } from './keyring-service';
import { createPageRegistry } from './page-registry';
import type { BackgroundPlatform } from './platform';
import { createTextService } from './text-service';

export interface BackgroundOptions {
  now?: () => number;
  /** scrypt parameters (tests use cheap ones). */
  kdfParams?: KeyringOptions['kdfParams'];
}

export class KeyringUnavailable extends Error {}

type LockState = 'locked' | 'unlocked';

export function createBackground(platform: BackgroundPlatform, options: BackgroundOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const startedAt = now();
  const lockListeners: Array<(state: LockState) => void> = [];
  const onLockChange = (listener: (state: LockState) => void): void => void lockListeners.push(listener);

  // ── The keyring, opened once (again after a failed open, e.g. storage that could not be read).
  let opening: Promise<Keyring> | null = null;
  function keyring(): Promise<Keyring> {
    opening ??= (async () => {
      await platform.restrictSession().catch(() => undefined);
      const r = await Keyring.open({
        local: platform.local,
        session: platform.session,
        now,
        ...(options.kdfParams ? { kdfParams: options.kdfParams } : {}),
        onStateChange: (state) => lockListeners.forEach((listener) => listener(state)),
      });
      if (!r.ok) {
        opening = null;
        throw new KeyringUnavailable(`Veil's storage could not be read (${r.error.code}). Nothing was deleted.`);
      }
      return r.value;
    })();
    return opening;
  }

  let store: Promise<ConversationStore> | null = null;
  /** The one conversation store, over the one keyring. */
  function conversations(): Promise<ConversationStore> {
    store ??= keyring().then((kr) => new ConversationStore(kr));
    store.catch(() => (store = null));
    return store;
  }

  const pages = createPageRegistry(platform.session);
  const text = createTextService({ keyring, conversations, pages, session: platform.session, tabs: platform.tabs, sites: platform.sites, startedAt });
  const calls = createCallService({ keyring, conversations, pages, session: platform.session, sites: platform.sites, now });
  const keys = createKeyringService({ keyring, conversations, alarms: platform.alarms, now });
  const status: Handlers<'page:status'> = {
    'page:status': async () => ok({ version: platform.extension.version, backgroundStartedAt: startedAt, enabledOrigins: await platform.sites.enabledOrigins() }),
  };

  // Every message the background answers has exactly one handler: the type says so.
  const handlers: Handlers<BackgroundMessage> = { ...text.handlers, ...calls.handlers, ...keys.handlers, ...status };
  registerHandlers(platform.messages, { extensionId: platform.extension.id, extensionOrigin: platform.extension.origin }, handlers);

  // Fire and forget below: each of these is retried by what comes next (the next lock change,
  // alarm, page-state, or use of the keyring), so a failure has nothing to wait for.
  const ignore = (): undefined => undefined;
  onLockChange((state) => keys.onLockChange(state));
  // Locked or unlocked: every tab looks at its messages again (locked ones show "unlock").
  onLockChange(() => void text.refreshAllTabs().catch(ignore));
  platform.alarms.onAlarm.addListener((alarm) => void keys.onAlarm(alarm.name).catch(ignore));
  platform.tabs.onRemoved.addListener((tabId) => {
    void text.forgetTab(tabId).catch(ignore);
    void calls.forgetTab(tabId).catch(ignore);
  });
  // A restarted background may resume unlocked from storage.session: keep the alarm armed.
  void keys.armAutoLock().catch(ignore);

  return { startedAt, handlers, keyring, conversations, pages, onLockChange, alarmName: AUTO_LOCK_ALARM };
}

export type Background = ReturnType<typeof createBackground>;
