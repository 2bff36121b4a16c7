/**
 * The background entry: what the browser provides, handed to the composition root
 * (background.ts), plus the plumbing that is only the browser's: content-script registration
 * following the user's site grants, and the first-run settings tab.
 */
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import type { KeyValueStore } from '../../lib/keyring';
import { messenger, originOf, type MessageRegistrar } from '../../lib/messaging';
import { createBackground } from './background';
import { enabledOrigins, isOriginEnabled, syncContentScripts } from './site-access';

function area(a: typeof browser.storage.local): KeyValueStore {
  return { get: (k) => a.get(k), set: (i) => a.set(i), remove: (k) => a.remove(k) };
}

export default defineBackground({
  type: 'module',
  main() {
    createBackground({
      extension: { id: browser.runtime.id, origin: originOf(browser.runtime.getURL('/')) ?? '', version: browser.runtime.getManifest().version },
      local: area(browser.storage.local),
      session: area(browser.storage.session),
      // Only Veil's trusted contexts may read storage.session (it holds the unlocked data key).
      restrictSession: async () => {
        await browser.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
      },
      alarms: browser.alarms,
      tabs: {
        // The generic body type is the table's; the messenger's own map is derived from the same table.
        send: (tabId, type, data) => (messenger.sendMessage as (t: typeof type, d: unknown, o: { tabId: number; frameId: number }) => Promise<never>)(type, data, { tabId, frameId: 0 }),
        onRemoved: browser.tabs.onRemoved,
      },
      messages: messenger as unknown as MessageRegistrar,
      sites: { enabledOrigins, isOriginEnabled },
    });

    // Content scripts follow the user's grants: registered for exactly the enabled origins. A
    // failed registration is tried again at the next start or grant change.
    const sync = (): void => void syncContentScripts().catch(() => undefined);
    sync();
    browser.permissions.onAdded.addListener(sync);
    browser.permissions.onRemoved.addListener(sync);
    // First run: open settings in a tab so the user can create an identity and enable sites.
    browser.runtime.onInstalled.addListener(({ reason }) => {
      if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/options.html#welcome') }).catch(() => undefined);
    });
  },
});
