/** Debian's firefox-esr with the built extension, driven by puppeteer-core over WebDriver BiDi. */
import { randomUUID } from 'node:crypto';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { within, type DrivenFrame, type DrivenPage } from './page';
import { BROWSERS } from '../../setup/browsers.mjs';
import { checkPageCode } from './page-code';
import { firefoxExtensionDir, freshProfileDir, removeProfileDir } from './paths';
import type { VeilBrowser } from './veil-browser';
import type { OriginRouter } from './origin-router';

const GECKO_ID = 'veil@veil.example';

/** Exported for the page-code guard's unit test. */
export function wrapFrame(frame: Frame): DrivenFrame {
  // Puppeteer throws synchronously on a frame that has gone away (the page re-rendered it): an
  // async wrapper turns that into a rejection, which callers already handle.
  return {
    href: async () => {
      try {
        return await within(3000, 'frame location', frame.evaluate(() => location.href));
      } catch {
        return '';
      }
    },
    evaluate: async (fn, arg) => frame.evaluate(checkPageCode(fn) as never, arg) as never,
    click: async (sel) => frame.click(sel),
    type: async (sel, text) => frame.type(sel, text),
    waitFor: async (sel, timeout = 15_000) => void (await frame.waitForSelector(sel, { timeout })),
    top: async () => {
      const el = await frame.frameElement();
      return (await el?.boundingBox())?.y ?? Number.POSITIVE_INFINITY;
    },
  };
}

/** Exported for the page-code guard's unit test. */
export function wrapPage(page: Page): DrivenPage {
  return {
    frames: async () => page.frames().filter((f) => f !== page.mainFrame()).map(wrapFrame),
    bringToFront: () => page.bringToFront(),
    goto: async (url) => void (await page.goto(url)),
    reload: async () => {
      // BiDi never reports a reload of a moz-extension:// page as loaded: reload from inside.
      if (!(await href(page)).startsWith('moz-extension:')) return void (await page.reload());
      // A marker on the old document tells the new one apart.
      await page.evaluate(() => {
        (window as unknown as { __veilBeforeReload?: boolean }).__veilBeforeReload = true;
        setTimeout(() => location.reload(), 0);
      });
      for (let i = 0; i < 150; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const fresh = await page
          .evaluate(() => !(window as unknown as { __veilBeforeReload?: boolean }).__veilBeforeReload && document.readyState === 'complete')
          .catch(() => false);
        if (fresh) return;
      }
      throw new Error('reload did not complete');
    },
    evaluate: async (fn, arg) => page.evaluate(checkPageCode(fn) as never, arg) as never,
    waitFor: async (sel, timeout = 15_000) => void (await page.waitForSelector(sel, { timeout })),
    click: (sel) => page.click(sel),
    type: (sel, text) => page.type(sel, text),
    typeKeys: (text) => page.keyboard.type(text),
    press: async (chord) => {
      // Playwright-style chords ("Alt+Shift+KeyE"): hold the modifiers around the last key.
      const keys = chord.split('+');
      const last = keys.pop()!;
      for (const k of keys) await page.keyboard.down(k as never);
      await page.keyboard.press(last as never);
      for (const k of keys.reverse()) await page.keyboard.up(k as never);
    },
    text: (sel) => page.$eval(sel, (e) => e.textContent ?? ''),
    screenshot: async (path, opts) => void (await page.screenshot({ path: path as `${string}.png`, fullPage: opts?.fullPage ?? false })),
    close: () => page.close(),
  };
}

/**
 * An open page (not in `skip`) whose URL starts with `prefix`: the driver's own URL first, so a
 * page still busy loading is found too; its own location otherwise.
 */
async function pageAt(browser: Browser, prefix: string, skip: ReadonlySet<Page> = new Set()): Promise<Page | undefined> {
  for (const p of await browser.pages()) {
    if (skip.has(p)) continue;
    if (p.url().startsWith(prefix) || (await href(p)).startsWith(prefix)) return p;
  }
  return undefined;
}

/** The page's own location; bounded, since a page still loading may not answer at once. */
async function href(page: Page): Promise<string> {
  return within(3000, 'location', page.evaluate(() => location.href)).catch(() => '');
}

/**
 * Firefox suspends an idle event page after this long (default 30 s); tests shorten it so that
 * suspension happens during the tests, but keep it above the slowest single call (a passphrase
 * derivation, up to ~2 s on a loaded 2-core machine): Firefox suspends even with a reply pending.
 */
const BACKGROUND_IDLE_MS = 5000;

/**
 * Routed real origins (origin-router.ts): https (and plain http, which the proxy refuses) goes
 * to the test proxy; Firefox never proxies localhost unless told to, so 127.0.0.1 stays direct.
 * The proxy's self-signed certificate is accepted through WebDriver BiDi's acceptInsecureCerts
 * (set on the session by puppeteer), which also covers HSTS-preloaded hosts like discord.com.
 */
function routePrefs(route: OriginRouter): Record<string, unknown> {
  return {
    'network.proxy.type': 1,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': route.proxyPort,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': route.proxyPort,
    'network.proxy.no_proxies_on': '',
  };
}

export async function launchFirefox(name: string, opts: { route?: OriginRouter; viewport?: { width: number; height: number } } = {}): Promise<VeilBrowser> {
  // A fixed per-launch UUID makes moz-extension:// URLs predictable.
  const uuid = randomUUID();
  const profile = freshProfileDir(`firefox-${name}`);
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: BROWSERS.firefox.path,
    headless: true,
    userDataDir: profile,
    ...(opts.route ? { acceptInsecureCerts: true } : {}),
    ...(opts.viewport ? { defaultViewport: opts.viewport } : {}),
    extraPrefsFirefox: {
      ...(opts.route ? routePrefs(opts.route) : {}),
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      // Grants optional permissions without the doorhanger, so the popup's real
      // permissions.request() path runs end to end.
      'extensions.webextOptionalPermissionPrompts': false,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0,
      'extensions.background.idle.timeout': BACKGROUND_IDLE_MS,
    },
  });
  const extensionOrigin = `moz-extension://${uuid}`;
  // WebDriver BiDi refuses to navigate a tab to moz-extension:// URLs, but an extension page may
  // navigate itself. Veil opens its settings tab on install; later pages are opened from there.
  let home: Page | undefined;
  try {
    await within(60_000, 'installing Veil in Firefox', browser.installExtension(firefoxExtensionDir));
    // A loaded machine can take many seconds to show a new tab: wait up to 45 s.
    for (const deadline = Date.now() + 45_000; !home && Date.now() < deadline; ) {
      home = await pageAt(browser, extensionOrigin);
      if (!home) await new Promise((r) => setTimeout(r, 100));
    }
    if (!home) throw new Error('Veil did not open its welcome tab in Firefox within 45 s');
  } catch (err) {
    await browser.close().catch(() => undefined);
    removeProfileDir(profile);
    throw err;
  }

  const newPage = async (url?: string) => {
    const page = await browser.newPage();
    if (url) await page.goto(url);
    return wrapPage(page);
  };

  return {
    kind: 'firefox',
    name,
    extensionOrigin,
    newPage,
    async openExtensionPage(path) {
      const url = `${extensionOrigin}${path}`;
      const want = url.split('#')[0]!;
      const before = new Set(await browser.pages());
      // tabs.create from Veil's own page needs no user gesture (window.open would be blocked).
      const create = () =>
        home!.evaluate(async (u) => {
          await (globalThis as unknown as { browser: { tabs: { create(o: { url: string }): Promise<unknown> } } }).browser.tabs.create({ url: u });
        }, url);
      await create();
      // A loaded machine can take many seconds to show a new tab: wait up to 45 s, asking once
      // more after 20 s (seen in CI: a tab that never showed up).
      let askedAgain = false;
      for (const start = Date.now(); Date.now() - start < 45_000; ) {
        const page = await pageAt(browser, want, before);
        if (page) return wrapPage(page);
        if (!askedAgain && Date.now() - start > 20_000) {
          askedAgain = true;
          console.warn(`[harness] firefox ${name}: ${path} did not show up within 20 s, opening it again`);
          await create().catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`could not open ${path} within 45 s`);
    },
    async stopBackground() {
      // No DevTools protocol here: let Firefox suspend the idle event page, as it does in real
      // use, by sending it nothing for longer than the (shortened) idle timeout.
      await new Promise((r) => setTimeout(r, BACKGROUND_IDLE_MS * 2 + 500));
    },
    close: async () => {
      await browser.close();
      removeProfileDir(profile);
    },
  };
}
