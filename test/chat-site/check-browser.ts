// Hand-like browser check of the chat site: for each editor, alice and bob chat by typing with
// the keyboard + Enter, and by focus + execCommand('insertText') + clicking Send, as Veil will;
// then two video pages connect and the remote video shows the pattern.
// Run: node --import ./test/setup/run-ts.mjs test/chat-site/check-browser.ts [--firefox] [--only=<name>]
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/harness/chromium.ts';
import { checkPageCode } from '../e2e/harness/page-code.ts';
import { startChatSite, type ChatSite } from './server.ts';
import { EDITORS } from './bundle.ts';

interface Row {
  browser: string;
  check: string;
  ok: boolean;
  detail: string;
}

/** The page-side surface the check drives, shared by playwright and puppeteer pages. */
interface Driver {
  goto(url: string): Promise<void>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  focus(selector: string): Promise<void>;
  type(text: string): Promise<void>;
  press(key: string): Promise<void>;
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

const rows: Row[] = [];
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice(7);
const wantFirefox = args.includes('--firefox');
const firefoxOnly = args.includes('--firefox-only');

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, tries = 100, ms = 150): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, ms));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
}

const EDITABLE = '#composer textarea, #composer [contenteditable="true"]';

async function record(browser: string, check: string, fn: () => Promise<string>): Promise<void> {
  try {
    rows.push({ browser, check, ok: true, detail: await fn() });
  } catch (err) {
    rows.push({ browser, check, ok: false, detail: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '' });
  }
}

async function lastMessages(p: Driver): Promise<{ author: string; text: string }[]> {
  return p.evaluate(() => window.__chat?.messages() ?? [], null);
}

async function expectDelivered(from: Driver, to: Driver, author: string, text: string): Promise<void> {
  // Rendered text differs from the raw text by design (markdown); compare the raw relayed text.
  for (const p of [to, from]) {
    await waitFor(`"${text}" at ${p === to ? 'receiver' : 'sender'}`, () =>
      p.evaluate(([a, t]) => window.__chat?.raw().some((m) => m.author === a && m.text === t) ?? false, [author, text] as const),
    );
  }
  const left = await from.evaluate(() => window.__chat?.editorText() ?? 'missing', null);
  if (left !== '') throw new Error(`editor not cleared after send: ${JSON.stringify(left)}`);
}

async function editorCheck(browser: string, open: (url: string) => Promise<Driver>, site: ChatSite, editor: string): Promise<void> {
  const room = `r-${editor}-${browser}`;
  const alice = await open(`${site.url}/chat/${room}?user=alice&editor=${editor}`);
  const bob = await open(`${site.url}/chat/${room}?user=bob&editor=${editor}`);
  try {
    await waitFor('pages ready', async () => (await alice.evaluate(() => window.__chat?.ready, null)) && bob.evaluate(() => window.__chat?.ready, null));
    await record(browser, `${editor}: keyboard + Enter`, async () => {
      const text = 'hello bob, typed by hand';
      await alice.focus(EDITABLE);
      await alice.type(text);
      await alice.press('Enter');
      await expectDelivered(alice, bob, 'alice', text);
      return 'delivered, editor cleared';
    });
    await record(browser, `${editor}: Shift+Enter newline`, async () => {
      await bob.focus(EDITABLE);
      await bob.type('line one');
      await bob.press('Shift+Enter');
      await bob.type('line two');
      await bob.press('Enter');
      await expectDelivered(bob, alice, 'bob', 'line one\nline two');
      return 'two lines in one message';
    });
    await record(browser, `${editor}: execCommand insertText + Send`, async () => {
      // Select-all first, over some existing text, as the extension replaces the user's draft.
      await bob.focus(EDITABLE);
      await bob.type('draft to replace');
      const text = 'VEIL1 ciphertext-like AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 0123';
      const inserted = await bob.evaluate(async (t) => {
        const el = document.querySelector<HTMLElement>('#composer textarea, #composer [contenteditable="true"]');
        if (!el) return false;
        el.focus();
        document.execCommand('selectAll', false);
        // Editors (Lexical) take the new selection on selectionchange, which fires in a later task.
        await new Promise((r) => setTimeout(r, 0));
        return document.execCommand('insertText', false, t);
      }, text);
      if (!inserted) throw new Error('execCommand returned false');
      await waitFor('editor model updated', async () => (await bob.evaluate(() => window.__chat?.editorText(), null)) === text, 30, 100);
      await bob.click('#send');
      await expectDelivered(bob, alice, 'bob', text);
      return 'delivered exactly';
    });
    await record(browser, `${editor}: rendered + rerender`, async () => {
      const before = await lastMessages(alice);
      await alice.evaluate(() => window.__chat?.rerender(), null);
      const after = await lastMessages(alice);
      if (JSON.stringify(before) !== JSON.stringify(after) || after.length !== 3) throw new Error(`list changed: ${JSON.stringify(after)}`);
      const chunks = await alice.evaluate(() => document.querySelectorAll('#messages .msg .body .chunk').length, null);
      if (chunks < 2) throw new Error('long word not split into spans');
      return `${after.length} messages, ${chunks} chunks`;
    });
  } finally {
    await alice.close();
    await bob.close();
  }
}

async function videoCheck(browser: string, open: (url: string) => Promise<Driver>, site: ChatSite): Promise<void> {
  const room = `v-${browser}`;
  const alice = await open(`${site.url}/video/${room}?user=alice`);
  const bob = await open(`${site.url}/video/${room}?user=bob`);
  try {
    await waitFor('pages ready', async () => (await alice.evaluate(() => window.__chat?.ready, null)) && bob.evaluate(() => window.__chat?.ready, null));
    await alice.click('#start');
    await bob.click('#start');
    await record(browser, 'video: connected', async () => {
      await waitFor('connected', async () => (await alice.evaluate(() => window.__call?.state, null)) === 'connected' && (await bob.evaluate(() => window.__call?.state, null)) === 'connected', 150, 200);
      const signals = site.log.filter((e) => e.kind === 'signal' && e.room === room).length;
      return `both connected, ${signals} signals logged`;
    });
    await record(browser, 'video: remote pattern + frames grow', async () => {
      const s = await waitFor('remote pattern', async () => {
        const px = await bob.evaluate(() => window.__call?.samplePixels() ?? null, null);
        return px && px.left.r > 180 && px.left.g < 80 && px.right.b > 180 && px.right.r < 80 && px.greenX !== null ? px : null;
      }, 100, 200);
      const a = await bob.evaluate(() => window.__call?.stats(), null);
      await new Promise((r) => setTimeout(r, 1500));
      const b = await bob.evaluate(() => window.__call?.stats(), null);
      const s2 = await bob.evaluate(() => window.__call?.samplePixels() ?? null, null);
      if (!a || !b || b.video.framesDecoded <= a.video.framesDecoded) throw new Error(`framesDecoded did not grow: ${a?.video.framesDecoded} -> ${b?.video.framesDecoded}`);
      if (s2?.greenX === s.greenX) throw new Error('green square did not move');
      return `left ${JSON.stringify(s.left)} right ${JSON.stringify(s.right)} greenX ${s.greenX}->${s2?.greenX}; framesDecoded ${a.video.framesDecoded}->${b.video.framesDecoded} (${b.video.codec}); audio packets ${b.audio.packetsReceived}, energy ${b.audio.totalAudioEnergy.toFixed(4)}`;
    });
    await record(browser, 'video: text chat beside', async () => {
      await alice.focus('#composer textarea');
      await alice.type('hi from the video page');
      await alice.press('Enter');
      await expectDelivered(alice, bob, 'alice', 'hi from the video page');
      return 'delivered';
    });
    await record(browser, 'video: Next re-pairs with a third user', async () => {
      const carol = await open(`${site.url}/video/${room}?user=carol`);
      try {
        await waitFor('carol ready', () => carol.evaluate(() => window.__chat?.ready, null));
        await carol.click('#start');
        await alice.click('#next');
        await waitFor('alice with carol', async () => (await alice.evaluate(() => window.__call?.partner, null)) === 'carol' && (await alice.evaluate(() => window.__call?.state, null)) === 'connected', 150, 200);
        const bobState = await bob.evaluate(() => window.__call?.state, null);
        if (bobState !== 'waiting') throw new Error(`bob should wait, is ${bobState}`);
        return 'alice↔carol connected, bob waiting';
      } finally {
        await carol.close();
      }
    });
  } finally {
    await alice.close();
    await bob.close();
  }
}

/** hostile=1 must actually capture what a user types into the site's own editor (its purpose). */
async function hostileCheck(browser: string, open: (url: string) => Promise<Driver>, site: ChatSite): Promise<void> {
  const p = await open(`${site.url}/chat/h-${browser}?user=mallory&editor=lexical&hostile=1`);
  try {
    await record(browser, 'hostile: captures typed plaintext, draws overlay', async () => {
      await waitFor('ready', () => p.evaluate(() => window.__chat?.ready, null));
      await p.focus(EDITABLE);
      await p.type('plain secret words');
      await p.press('Enter');
      const got = await waitFor('capture', async () => {
        const r = await p.evaluate(() => window.__hostile?.report() ?? [], null);
        const hits = r.filter((x) => x.includes('plain secret words'));
        return hits.length >= 2 ? r : null;
      });
      const overlay = await p.evaluate(() => document.getElementById('secure-compose-overlay') !== null, null);
      if (!overlay) throw new Error('no fake secure-compose overlay');
      const sources = [...new Set(got.filter((x) => x.includes('plain secret words')).map((x) => x.split(':')[0]))];
      return `${got.length} items; secret caught by ${sources.join(', ')}`;
    });
  } finally {
    await p.close();
  }
}

async function runChromium(site: ChatSite): Promise<void> {
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const pageErrors: string[] = [];
  const open = async (url: string): Promise<Driver> => {
    const ctx = await browser.newContext(); // fresh context per user
    const page: Page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${url}: ${e.message}`));
    await page.goto(url);
    return {
      goto: async (u) => void (await page.goto(u)),
      evaluate: async (fn, arg) => page.evaluate(checkPageCode(fn) as never, arg) as never,
      focus: (sel) => page.focus(sel),
      type: (t) => page.keyboard.type(t),
      press: (k) => page.keyboard.press(k),
      click: (sel) => page.click(sel),
      close: () => ctx.close(),
    };
  };
  try {
    for (const e of EDITORS) if (!only || only === e) await editorCheck('chromium', open, site, e);
    if (!only || only === 'video') await videoCheck('chromium', open, site);
    if (!only || only === 'hostile') await hostileCheck('chromium', open, site);
    rows.push({ browser: 'chromium', check: 'no uncaught page errors', ok: pageErrors.length === 0, detail: pageErrors.slice(0, 3).join(' | ') || 'none' });
  } finally {
    await browser.close();
  }
}

async function runFirefox(site: ChatSite): Promise<void> {
  const puppeteer = (await import('puppeteer-core')).default;
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-site-ff-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    userDataDir,
    extraPrefsFirefox: { 'media.autoplay.default': 0, 'media.autoplay.blocking_policy': 0 },
  });
  const pageErrors: string[] = [];
  const open = async (url: string): Promise<Driver> => {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${url}: ${e instanceof Error ? e.message : String(e)}`));
    await page.goto(url);
    return {
      goto: async (u) => void (await page.goto(u)),
      evaluate: async (fn, arg) => page.evaluate(checkPageCode(fn) as never, arg) as never,
      // Firefox routes keyboard input only to the foreground tab of the window.
      focus: async (sel) => {
        await page.bringToFront();
        await page.focus(sel);
      },
      type: (t) => page.keyboard.type(t),
      press: async (k) => {
        if (k.startsWith('Shift+')) {
          await page.keyboard.down('Shift');
          await page.keyboard.press(k.slice(6) as 'Enter');
          await page.keyboard.up('Shift');
        } else await page.keyboard.press(k as 'Enter');
      },
      click: async (sel) => {
        await page.bringToFront();
        await page.click(sel);
      },
      close: () => ctx.close(),
    };
  };
  try {
    for (const e of EDITORS) if (!only || only === e) await editorCheck('firefox', open, site, e);
    if (!only || only === 'video') await videoCheck('firefox', open, site);
    rows.push({ browser: 'firefox', check: 'no uncaught page errors', ok: pageErrors.length === 0, detail: pageErrors.slice(0, 3).join(' | ') || 'none' });
  } finally {
    await browser.close();
    await fs.rm(userDataDir, { recursive: true, force: true });
  }
}

const site = await startChatSite();
try {
  if (!firefoxOnly) await runChromium(site);
  if (wantFirefox || firefoxOnly) await runFirefox(site);
} catch (err) {
  rows.push({ browser: '-', check: 'run', ok: false, detail: String(err) });
} finally {
  await site.close();
}
const w = Math.max(...rows.map((r) => r.check.length));
for (const r of rows) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.browser.padEnd(8)}  ${r.check.padEnd(w)}  ${r.detail}`);
const failed = rows.filter((r) => !r.ok).length;
console.log(failed ? `${failed} of ${rows.length} checks FAILED` : `all ${rows.length} checks passed`);
process.exit(failed ? 1 : 0);
