import { launchChromium } from './chromium';
import { launchFirefox } from './firefox';
import { within } from './page';
import type { VeilBrowser } from './veil-browser';
import type { OriginRouter } from './origin-router';

export type BrowserKind = 'chromium' | 'firefox';
export { type VeilBrowser } from './veil-browser';
export { type DrivenFrame, type DrivenPage, waitUntil, within } from './page';
export { artifactsDir } from './paths';
export { startOriginRouter, type OriginRouter } from './origin-router';

/** The local test hosts that tests enable Veil on. */
export const TEST_HOST_PATTERN = 'http://127.0.0.1/*';

/** Browsers under test: VEIL_BROWSERS=chromium,firefox (default both). */
export function browsersUnderTest(): BrowserKind[] {
  const raw = process.env.VEIL_BROWSERS ?? 'chromium,firefox';
  return raw.split(',').map((s) => s.trim()).filter((s): s is BrowserKind => s === 'chromium' || s === 'firefox');
}

export interface LaunchOptions {
  /** Enable Veil on the local test host (http://127.0.0.1). */
  enableTestHost?: boolean;
  /**
   * These real origins are served by the local chat site (see origin-router.ts): the browser
   * routes them to it and accepts its certificate, and Veil is enabled on every one of them.
   */
  route?: OriginRouter;
  /** Window size in CSS pixels (default: Chromium 1200×900, Firefox puppeteer's 800×600). */
  viewport?: { width: number; height: number };
}

/**
 * Launches a browser with Veil and enables it on the test host and/or the routed origins —
 * through the popup's real permission request in Firefox, through a pre-granted manifest copy
 * in Chromium (see chromium.ts for why).
 */
export async function launchVeil(kind: BrowserKind, name: string, opts: LaunchOptions = {}): Promise<VeilBrowser> {
  // A browser that fails to start (or to show Veil's first pages) on a loaded machine gets one
  // more try with a fresh profile; the first error is printed, so a retry never hides it.
  const first = launchOnce(kind, name, opts);
  try {
    return await within(120_000, `launching ${kind} for ${name}`, first);
  } catch (err) {
    void first.then((b) => b.close(), () => undefined); // a late first browser is not left running
    console.warn(`[harness] ${kind} launch for ${name} failed, trying once more with a fresh profile: ${String(err)}`);
    return within(120_000, `launching ${kind} for ${name} (second try)`, launchOnce(kind, name, opts));
  }
}

async function launchOnce(kind: BrowserKind, name: string, opts: LaunchOptions): Promise<VeilBrowser> {
  const routed = opts.route?.origins.map((o) => `${o}/`) ?? [];
  const viewport = opts.viewport ? { viewport: opts.viewport } : {};
  if (kind === 'chromium') {
    const grants = [...(opts.enableTestHost ? [TEST_HOST_PATTERN] : []), ...routed.map((o) => `${o}*`)];
    return launchChromium(name, { grantOrigins: grants, ...(opts.route ? { route: opts.route } : {}), ...viewport });
  }
  const browser = await launchFirefox(name, { ...(opts.route ? { route: opts.route } : {}), ...viewport });
  try {
    const sites = [...(opts.enableTestHost ? ['http://127.0.0.1/'] : []), ...routed];
    if (sites.length > 0) await enableSitesViaPopup(browser, sites);
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
  return browser;
}

export async function enableSiteViaPopup(browser: VeilBrowser, url: string): Promise<void> {
  await enableSitesViaPopup(browser, [url]);
}

/** Enables each site from one popup, as a person typing one address after the other. */
export async function enableSitesViaPopup(browser: VeilBrowser, urls: readonly string[]): Promise<void> {
  const popup = await browser.openExtensionPage('/popup.html');
  await popup.waitFor('[data-testid=bg-status]');
  for (const url of urls) {
    // The field keeps the last address: empty it as a person would before typing the next.
    await popup.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('#add-site');
      if (input) {
        input.value = '';
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    await popup.type('#add-site', url);
    await popup.click('#add-site ~ button[type=submit]');
    const origin = new URL(url).origin;
    await popup.waitFor(`[data-testid=enabled-sites] button[aria-label="Disable ${origin}/*"]`);
  }
  await popup.close();
}
