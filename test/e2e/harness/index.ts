import { launchChromium } from './chromium';
import { launchFirefox } from './firefox';
import { within } from './page';
import type { VeilBrowser } from './veil-browser';

export type BrowserKind = 'chromium' | 'firefox';
export { type VeilBrowser } from './veil-browser';
export { type DrivenFrame, type DrivenPage, waitUntil, within } from './page';
export { artifactsDir } from './paths';

/** The local test hosts that tests enable Veil on. */
export const TEST_HOST_PATTERN = 'http://127.0.0.1/*';

/** Browsers under test: VEIL_BROWSERS=chromium,firefox (default both). */
export function browsersUnderTest(): BrowserKind[] {
  const raw = process.env.VEIL_BROWSERS ?? 'chromium,firefox';
  return raw.split(',').map((s) => s.trim()).filter((s): s is BrowserKind => s === 'chromium' || s === 'firefox');
}

/**
 * Launches a browser with Veil and, when `enableTestHost` is set, enables Veil on 127.0.0.1 —
 * through the popup's real permission request in Firefox, through a pre-granted manifest copy
 * in Chromium (see chromium.ts for why).
 */
export async function launchVeil(kind: BrowserKind, name: string, opts: { enableTestHost?: boolean } = {}): Promise<VeilBrowser> {
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

async function launchOnce(kind: BrowserKind, name: string, opts: { enableTestHost?: boolean }): Promise<VeilBrowser> {
  if (kind === 'chromium') {
    return launchChromium(name, { grantOrigins: opts.enableTestHost ? [TEST_HOST_PATTERN] : [] });
  }
  const browser = await launchFirefox(name);
  try {
    if (opts.enableTestHost) await enableSiteViaPopup(browser, 'http://127.0.0.1/');
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
  return browser;
}

export async function enableSiteViaPopup(browser: VeilBrowser, url: string): Promise<void> {
  const popup = await browser.openExtensionPage('/popup.html');
  await popup.waitFor('[data-testid=bg-status]');
  await popup.type('#add-site', url);
  await popup.click('#add-site ~ button[type=submit]');
  await popup.waitFor('[data-testid=enabled-sites]');
  await popup.close();
}
