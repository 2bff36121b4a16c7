/** Debian's Chromium with the built extension, driven by playwright-core. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { within, type DrivenFrame, type DrivenPage } from './page';
import { BROWSERS } from '../../setup/browsers.mjs';
import { checkPageCode } from './page-code';
import { chromeExtensionDir, freshProfileDir, removeProfileDir } from './paths';
import type { VeilBrowser } from './veil-browser';
import type { OriginRouter } from './origin-router';

/** Flags for every Chromium the tests and benchmarks start (the bench's baseline uses them too). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--enable-precise-memory-info',
  // Profiling hook for the benchmarks (e.g. VEIL_CHROMIUM_ARGS=--js-flags=--perf-basic-prof): the
  // same extra flags reach every Chromium of a run, with and without Veil.
  ...(process.env.VEIL_CHROMIUM_ARGS ?? '').split(' ').filter((a) => a !== ''),
];

export const CHROMIUM_VIEWPORT = { width: 1200, height: 900 };

/** Exported for the page-code guard's unit test. */
export function wrapFrame(frame: Frame): DrivenFrame {
  return {
    // Bounded: a frame being removed (a closed compose box) may never answer.
    href: () => within(3000, 'frame location', frame.evaluate(() => location.href)).catch(() => ''),
    evaluate: async (fn, arg) => frame.evaluate(checkPageCode(fn) as never, arg) as never,
    click: (sel) => frame.click(sel),
    type: (sel, text) => frame.locator(sel).pressSequentially(text),
    waitFor: async (sel, timeout = 15_000) => void (await frame.waitForSelector(sel, { timeout })),
    top: async () => (await (await frame.frameElement()).boundingBox())?.y ?? Number.POSITIVE_INFINITY,
  };
}

/** Exported for the page-code guard's unit test. */
export function wrapPage(page: Page): DrivenPage {
  return {
    frames: async () => page.frames().filter((f) => f !== page.mainFrame()).map(wrapFrame),
    bringToFront: () => page.bringToFront(),
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    evaluate: async (fn, arg) => page.evaluate(checkPageCode(fn) as never, arg) as never,
    waitFor: async (sel, timeout = 15_000) => void (await page.waitForSelector(sel, { timeout })),
    click: (sel) => page.click(sel),
    type: (sel, text) => page.locator(sel).pressSequentially(text),
    press: (key) => page.keyboard.press(key),
    typeKeys: (text) => page.keyboard.type(text),
    text: async (sel) => (await page.textContent(sel)) ?? '',
    screenshot: async (path, opts) => void (await page.screenshot({ path, fullPage: opts?.fullPage ?? false })),
    close: () => page.close(),
  };
}

/**
 * Chrome's permission prompt for optional host permissions is browser UI that no automation
 * reaches (Playwright declines to support it). A copy of the built extension whose manifest
 * also lists the test hosts as host_permissions stands in for the user's "Allow" click; the
 * Firefox harness exercises the real popup flow.
 */
function extensionCopyWithGrants(grantOrigins: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'veil-ext-chrome-'));
  cpSync(chromeExtensionDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest.host_permissions = grantOrigins;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return dir;
}

/**
 * Routed real origins (origin-router.ts): every https request goes to the test proxy (loopback
 * stays direct, as Chromium never proxies it by default), and the proxy's one self-signed
 * certificate is accepted by its key hash — only that key, unlike --ignore-certificate-errors.
 * Chromium honours the hash list because the profile is a user data dir of its own.
 */
export function routeArgs(route: OriginRouter): string[] {
  return [`--proxy-server=http://127.0.0.1:${route.proxyPort}`, `--ignore-certificate-errors-spki-list=${route.spkiHash}`];
}

export async function launchChromium(
  name: string,
  opts: { grantOrigins?: string[]; route?: OriginRouter; viewport?: { width: number; height: number } } = {},
): Promise<VeilBrowser> {
  const ext = opts.grantOrigins?.length ? extensionCopyWithGrants(opts.grantOrigins) : chromeExtensionDir;
  const profile = freshProfileDir(`chromium-${name}`);
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSERS.chromium.path,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.route ? routeArgs(opts.route) : []), `--disable-extensions-except=${ext}`, `--load-extension=${ext}`],
    viewport: opts.viewport ?? CHROMIUM_VIEWPORT,
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionOrigin = `chrome-extension://${new URL(worker.url()).host}`;

  const newPage = async (url?: string) => {
    const page = await context.newPage();
    if (url) await page.goto(url);
    return wrapPage(page);
  };

  return {
    kind: 'chromium',
    name,
    extensionOrigin,
    newPage,
    openExtensionPage: (path) => newPage(`${extensionOrigin}${path}`),
    async stopBackground() {
      // Same effect as Chrome stopping an idle service worker: all in-memory state is gone.
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    },
    close: async () => {
      await context.close();
      removeProfileDir(profile);
      if (ext !== chromeExtensionDir) removeProfileDir(ext);
    },
  };
}
