import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { guardHandler, messenger, ok, originOf, type HandlerContext } from '../../lib/messaging';
import { registerCallHandlers } from './call-service';
import { registerKeyringHandlers } from './keyring-service';
import { enabledOrigins, syncContentScripts } from './site-access';
import { registerTextHandlers } from './text-service';

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

    registerTextHandlers(ctx, startedAt);

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
    registerCallHandlers(ctx);
  },
});
