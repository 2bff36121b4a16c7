/**
 * What the call E2E tests share: browser pairs, a browser without Veil (baselines, and Carol who
 * has no keys), the video page's stats and pixel samples, and Veil's view of a call.
 */
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import type { CallView } from '../../lib/messaging/views';
import { browsersUnderTest, waitUntil, type DrivenPage } from './harness';
import { CHROMIUM_ARGS } from './harness/chromium';
import { guardedEvaluator } from './harness/page-code';
import type { ChatSite } from '../chat-site/server';
import { acceptQuery, ask, composeStatus, openCompose, poll, startEncryption, waitStatus } from './text-flow';

export type Kind = 'chromium' | 'firefox';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}
export interface Pixels {
  left: Rgb;
  right: Rgb;
  greenX: number | null;
}

/** Veil's view of a call (what the popup shows). */
export type { CallView } from '../../lib/messaging/views';

/** What the tests need of any page: evaluate and close. */
export interface AnyPage {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  close(): Promise<void>;
}

/**
 * Pairs under test from `envVar` (e.g. "chromium-chromium,firefox-firefox,chromium-firefox"). By
 * default each pair runs in the step of Bob's browser (VEIL_BROWSERS), so the Chromium step runs
 * Chromium↔Chromium and the Firefox step Firefox↔Firefox and Chromium→Firefox.
 */
export function callPairs(envVar: string): Array<[Kind, Kind]> {
  const explicit = process.env[envVar];
  const raw = explicit ?? 'chromium-chromium,firefox-firefox,chromium-firefox';
  const kinds = browsersUnderTest();
  return raw
    .split(',')
    .map((s) => s.trim().split('-') as [Kind, Kind])
    .filter((p) => p.length === 2 && p.every((k) => k === 'chromium' || k === 'firefox'))
    .filter((p) => explicit !== undefined || kinds.includes(p[1]));
}

/** A browser without Veil. */
export async function plainBrowser(kind: Kind): Promise<{ open(url: string): Promise<AnyPage>; close(): Promise<void> }> {
  if (kind === 'chromium') {
    const b = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    return {
      open: async (url) => {
        const ctx = await b.newContext();
        const page = await ctx.newPage();
        await page.goto(url);
        return { evaluate: guardedEvaluator(page).evaluate, close: () => ctx.close() };
      },
      close: () => b.close(),
    };
  }
  const b = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: { 'media.navigator.permission.disabled': true, 'media.autoplay.default': 0 },
  });
  return {
    open: async (url) => {
      const page = await b.newPage();
      await page.goto(url);
      return { evaluate: guardedEvaluator(page).evaluate, close: () => page.close() };
    },
    close: () => b.close(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const pixels = (p: AnyPage): Promise<Pixels | null> => p.evaluate(() => window.__call!.samplePixels() as Pixels | null);

/** The sender's pattern: red on the left, blue on the right. */
export function showsPattern(px: Pixels | null): boolean {
  if (!px) return false;
  return px.left.r > 180 && px.left.g < 90 && px.left.b < 90 && px.right.b > 180 && px.right.r < 90 && px.right.g < 90;
}

/** Veil's view of the call in a tab (what the popup shows), asked from one of Veil's pages. */
export async function callView(ext: DrivenPage, urlPart: string): Promise<CallView | null> {
  const tabId = await ext.evaluate(async (part: string) => {
    type Tabs = { query(q: object): Promise<Array<{ id?: number; url?: string }>> };
    const g = globalThis as unknown as { browser?: { tabs: Tabs }; chrome: { tabs: Tabs } };
    const tabs = await (g.browser ?? g.chrome).tabs.query({});
    return tabs.find((t) => (t.url ?? '').includes(part))?.id ?? -1;
  }, urlPart);
  const r = await ask<CallView | null>(ext, 'page:call-state', { tabId });
  return r.ok ? (r.value ?? null) : null;
}

/**
 * Alice and Bob on the video page: both content scripts connected, then an encrypted text session
 * started by Alice through Veil's own frames and accepted by Bob.
 */
export async function encryptedSessionOnVideoPages(a: DrivenPage, b: DrivenPage, site?: ChatSite): Promise<void> {
  for (const [p, who] of [[a, 'alice'], [b, 'bob']] as const) {
    await waitUntil(p, () => document.documentElement.getAttribute('data-veil-content') === 'connected', { what: `${who}'s content script`, timeoutMs: 20_000 });
  }
  const ac = await openCompose(a);
  // A retried test finds the session its first attempt established: nothing to start then.
  const first = await poll('compose status', async () => ((await composeStatus(ac)).startsWith('connecting') ? null : composeStatus(ac)), 20_000);
  if (first === 'encrypted') return;
  await startEncryption(ac);
  await acceptQuery(b);
  await waitStatus(ac, 'encrypted').catch(async (e: unknown) => {
    // Which handshake message went missing: what each side's Veil posted, and where each stands.
    const posted = (site?.log ?? []).filter((x) => x.kind === 'chat').map((x) => `${x.room}/${x.from}: ${(x as { text: string }).text.slice(0, 12)}…`);
    const bc = await openCompose(b).catch(() => null);
    const states = `alice "${await composeStatus(ac).catch(() => '?')}", bob "${bc ? await composeStatus(bc).catch(() => '?') : 'no compose'}"`;
    throw new Error(`${String(e)}; ${states}; relayed chat: ${posted.slice(-8).join(' | ') || 'none'}`);
  });
}
