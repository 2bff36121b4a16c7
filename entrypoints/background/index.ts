import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { guardHandler, messenger, ok, originOf, type HandlerContext } from '../../lib/messaging';
import { knownSiteFor } from '../../lib/sites/match';
import { registerKeyringHandlers } from './keyring-service';
import { enabledOrigins, isOriginEnabled, syncContentScripts } from './site-access';

export default defineBackground({
  type: 'module',
  main() {
    const startedAt = Date.now();
    const ctx: HandlerContext = {
      extensionId: browser.runtime.id,
      extensionOrigin: originOf(browser.runtime.getURL('/')) ?? '',
    };

    // Content scripts follow the user's grants: registered for exactly the enabled origins.
    void syncContentScripts();
    // First run: open settings in a tab so the user can create an identity and enable sites.
    browser.runtime.onInstalled.addListener(({ reason }) => {
      if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/options.html#welcome') });
    });
    browser.permissions.onAdded.addListener(() => void syncContentScripts());
    browser.permissions.onRemoved.addListener(() => void syncContentScripts());

    messenger.onMessage(
      'content:hello',
      guardHandler('content:hello', ctx, async (_data, role) => {
        if (role.kind !== 'content') throw new Error('unreachable');
        if (!(await isOriginEnabled(role.origin))) {
          return { ok: false, error: { code: 'site-not-enabled', message: `${role.origin} is not enabled` } };
        }
        return ok({
          tabId: role.tabId,
          origin: role.origin,
          siteId: knownSiteFor(`${role.origin}/`)?.id ?? null,
          backgroundStartedAt: startedAt,
        });
      }),
    );

    messenger.onMessage(
      'page:status',
      guardHandler('page:status', ctx, async () =>
        ok({
          version: browser.runtime.getManifest().version,
          backgroundStartedAt: startedAt,
          enabledOrigins: await enabledOrigins(),
        }),
      ),
    );
    registerKeyringHandlers(ctx);
  },
});
