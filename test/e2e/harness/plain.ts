/**
 * A browser without Veil (same build and flags as the Veil browsers): what a person without the
 * extension, or the platform itself, sees. Its pages go through the same guarded wrappers.
 */
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { BROWSERS } from '../../setup/browsers.mjs';
import { CHROMIUM_ARGS, CHROMIUM_VIEWPORT, wrapPage as wrapChromiumPage } from './chromium';
import { wrapPage as wrapFirefoxPage } from './firefox';
import type { DrivenPage } from './page';

export interface PlainBrowser {
  kind: 'chromium' | 'firefox';
  /** A new tab (in Chromium, with its own cookies: one person per tab). */
  newPage(url: string): Promise<DrivenPage>;
  close(): Promise<void>;
}

export async function launchPlain(kind: 'chromium' | 'firefox', opts: { viewport?: { width: number; height: number } } = {}): Promise<PlainBrowser> {
  if (kind === 'chromium') {
    const browser = await chromium.launch({ executablePath: BROWSERS.chromium.path, headless: true, args: CHROMIUM_ARGS });
    return {
      kind,
      newPage: async (url) => {
        const context = await browser.newContext({ viewport: opts.viewport ?? CHROMIUM_VIEWPORT });
        const page = await context.newPage();
        await page.goto(url);
        return { ...wrapChromiumPage(page), close: () => context.close() };
      },
      close: () => browser.close(),
    };
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: BROWSERS.firefox.path,
    headless: true,
    ...(opts.viewport ? { defaultViewport: opts.viewport } : {}),
    extraPrefsFirefox: { 'media.navigator.permission.disabled': true, 'media.autoplay.default': 0 },
  });
  return {
    kind,
    newPage: async (url) => {
      const page = await browser.newPage();
      await page.goto(url);
      return wrapFirefoxPage(page);
    },
    close: () => browser.close(),
  };
}
