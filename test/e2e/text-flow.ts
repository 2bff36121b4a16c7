/**
 * Steps of the text flow as a person does them, for the E2E tests: create an identity, open a
 * chat, open Veil's compose box (Alt+Shift+E), start encryption, accept a request, send, read.
 */
import type { ChatSite } from '../chat-site/server';
import { waitUntil, within, type DrivenFrame, type DrivenPage, type VeilBrowser } from './harness';
import { PageCodeError } from './harness/page-code';

export type EditorKind = 'textarea' | 'contenteditable' | 'lexical' | 'slate' | 'quill';

/** Sends one runtime message from a Veil page, as the popup would (raw @webext-core format). */
export async function ask<T>(page: DrivenPage, type: string, data?: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
  return within(30_000, `Veil's answer to ${type}`, askOnce<T>(page, type, data));
}

async function askOnce<T>(page: DrivenPage, type: string, data?: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
  return page.evaluate(
    async ({ type, data }) => {
      type Runtime = { sendMessage(m: unknown): Promise<unknown> };
      const g = globalThis as unknown as { browser?: { runtime: Runtime }; chrome: { runtime: Runtime } };
      const reply = (await (g.browser ?? g.chrome).runtime.sendMessage({ id: 1, type, data, timestamp: Date.now() })) as { res?: unknown; err?: unknown };
      return (reply.res ?? { ok: false, error: { code: 'transport', message: JSON.stringify(reply.err) } }) as never;
    },
    { type, data },
  );
}

export async function createIdentity(veil: VeilBrowser, passphrase: string | null = null): Promise<void> {
  const popup = await veil.openExtensionPage('/popup.html');
  await popup.waitFor('[data-testid=bg-status]');
  try {
    const r = await ask(popup, 'keyring:create', { passphrase });
    if (!r.ok) throw new Error(`identity: ${JSON.stringify(r.error)}`);
  } catch (err) {
    // No answer (a background suspended mid-request on a loaded machine): ask again from a fresh
    // popup; the identity may exist already. Printed, so the first failure stays visible.
    console.warn(`[harness] ${veil.kind} ${veil.name}: creating the identity failed, asking again: ${String(err)}`);
    await popup.close().catch(() => undefined);
    const again = await veil.openExtensionPage('/popup.html');
    const state = await ask<{ state: string }>(again, 'keyring:state');
    const exists = state.ok && state.value?.state !== 'uninitialized';
    if (!exists) {
      const r = await ask(again, 'keyring:create', { passphrase });
      if (!r.ok) throw new Error(`identity (second try): ${JSON.stringify(r.error)}`);
    }
    await again.close();
    return;
  }
  await popup.close();
}

/** What the relay carried in a room (only one user's posts, if `from` is given): the platform's view. */
export function relayedTexts(site: ChatSite, room: string, from?: string): string[] {
  return site.log.flatMap((e) => (e.kind === 'chat' && e.room === room && (from === undefined || e.from === from) ? [e.text] : []));
}

export async function openChat(veil: VeilBrowser, site: ChatSite, room: string, user: string, editor: EditorKind, extra = ''): Promise<DrivenPage> {
  const page = await veil.newPage(`${site.url}/chat/${room}?user=${user}&editor=${editor}${extra}`);
  await waitUntil(page, () => document.documentElement.getAttribute('data-veil-content') === 'connected', { what: `${user}'s content script`, timeoutMs: 20_000 });
  return page;
}

/** Veil frames in a page whose hash has `key=` (m: message, c: compose, q: query). */
export async function veilFrames(page: DrivenPage, key: 'm' | 'c' | 'q'): Promise<Array<{ frame: DrivenFrame; href: string }>> {
  // All frames asked at once: the driver pipelines the calls (one by one, a long chat took seconds).
  const all = await Promise.all((await page.frames()).map(async (frame) => ({ frame, href: await frame.href() })));
  return all.filter(({ href }) => href.includes('/frame.html#') && new URLSearchParams(href.split('#')[1]).has(key));
}

async function poll<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A refused page function fails at once (retrying cannot help); other errors are retried.
    const v = await fn().catch((e: unknown) => {
      if (e instanceof PageCodeError) throw e;
      return null;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Opens Veil's compose frame with the keyboard shortcut and returns it once it is ready. */
export async function openCompose(page: DrivenPage): Promise<DrivenFrame> {
  await page.bringToFront();
  const existing = await veilFrames(page, 'c');
  if (existing[0]) return existing[0].frame;
  await page.press('Alt+Shift+KeyE');
  const f = await poll('compose frame', async () => (await veilFrames(page, 'c'))[0]?.frame);
  await f.waitFor('[data-testid=status]');
  return f;
}

export async function composeStatus(compose: DrivenFrame): Promise<string> {
  return compose.evaluate(() => document.querySelector('[data-testid=status]')?.textContent ?? '');
}

export async function waitStatus(compose: DrivenFrame, status: string, timeoutMs = 45_000): Promise<void> {
  await poll(`compose status "${status}"`, async () => (await composeStatus(compose)) === status, timeoutMs);
}

/** Clicks "Start encryption" (the frame arms its buttons after it has been visible a moment). */
export async function startEncryption(compose: DrivenFrame): Promise<void> {
  await compose.waitFor('[data-testid=start]');
  await new Promise((r) => setTimeout(r, 800));
  await compose.click('[data-testid=start]');
}

/**
 * Waits for a query prompt frame and clicks Accept. The chat site re-renders its list every few
 * seconds, which replaces Veil's frames: a click on a frame that just went away is retried.
 */
export async function acceptQuery(page: DrivenPage): Promise<void> {
  await page.bringToFront();
  await poll('query prompt accepted', async () => {
    for (const { frame } of await veilFrames(page, 'q')) {
      if (!(await frame.evaluate(() => !!document.querySelector('[data-testid=accept]')))) continue;
      await new Promise((r) => setTimeout(r, 800));
      await frame.click('[data-testid=accept]');
      return true;
    }
    return null;
  }, 45_000);
}

/** True once focus has stayed in the compose box for 80 ms (checked inside the frame). */
function focusSettles(compose: DrivenFrame, ms: number): Promise<boolean> {
  return compose.evaluate(async (ms: number) => {
    const focused = (): boolean => document.hasFocus() && document.activeElement?.getAttribute('data-testid') === 'compose-text';
    let since = focused() ? performance.now() : -1;
    for (const end = performance.now() + ms; performance.now() < end; ) {
      await new Promise((r) => setTimeout(r, 25));
      if (!focused()) since = -1;
      else if (since < 0) since = performance.now();
      else if (performance.now() - since >= 80) return true;
    }
    return false;
  }, ms);
}

/** Where focus is instead: the page's active element, and the compose frame's own view. */
async function focusReport(page: DrivenPage, compose: DrivenFrame): Promise<string> {
  const where = await page
    .evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.shadowRoot ? '(shadow host)' : ''}${el.getAttribute('contenteditable') ? '[contenteditable]' : ''}` : 'none';
    })
    .catch(() => '?');
  const inFrame = await compose.evaluate(() => `frame hasFocus ${document.hasFocus()}, active ${document.activeElement?.tagName.toLowerCase()}`).catch(() => '?');
  return `page focus on ${where}; ${inFrame}`;
}

/** Types a message into the compose frame (as input events) and sends it with Enter. */
export async function sendInCompose(page: DrivenPage, compose: DrivenFrame, text: string): Promise<void> {
  await compose.evaluate((t: string) => {
    const area = document.querySelector<HTMLTextAreaElement>('[data-testid=compose-text]')!;
    area.focus();
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
    setter.call(area, t);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  // As a person would: press Enter once the previous message has gone out (Veil borrows the
  // site's editor to post, briefly), with the cursor in Veil's compose box.
  await poll('the site editor to be free', () =>
    page.evaluate(() => (window as unknown as { __chat?: { editorText(): string } }).__chat?.editorText?.().trim() === ''), 30_000, 40);
  await compose.click('[data-testid=compose-text]');
  // Focus must have settled in the compose box (sites re-focus their input after a send).
  if (!(await focusSettles(compose, 5000))) {
    // Headless Chromium does not always give an out-of-process frame document focus after a
    // click when the page itself is not the active one (a real click would activate the window):
    // activate the page and click again, as a person's click would, then wait once more.
    console.log(`[focus] not settled after 5 s (${await focusReport(page, compose)}); activating the page and clicking again`);
    await page.bringToFront();
    await compose.click('[data-testid=compose-text]');
    if (!(await focusSettles(compose, 15_000))) {
      throw new Error(`timed out waiting for focus to settle in the compose box (${await focusReport(page, compose)})`);
    }
  }
  await page.press('Enter');
  const state = () =>
    compose.evaluate(() => `status "${document.querySelector('[data-testid=status]')?.textContent}", notice "${document.querySelector('[data-testid=notice]')?.textContent}"`);
  await poll('compose to clear after send', async () =>
    compose.evaluate(async () => {
      // Waits inside the frame (one driver call, not one per 40 ms).
      for (const end = performance.now() + 5000; performance.now() < end; await new Promise((r) => setTimeout(r, 20))) {
        const area = document.querySelector<HTMLTextAreaElement>('[data-testid=compose-text]');
        const notice = document.querySelector('[data-testid=notice]')?.textContent ?? '';
        if (notice.startsWith('Not sent')) throw new Error(notice);
        if (area?.value === '') return true;
      }
      return false;
    }),
    30_000,
    0,
  ).catch(async (e: unknown) => {
    const editor = await page.evaluate(() => (window as unknown as { __chat?: { editorText(): string; error(): string } }).__chat?.editorText?.() ?? '').catch(() => '?');
    throw new Error(`${String(e)}; compose: ${await state().catch(() => '?')}; site editor holds ${JSON.stringify(editor).slice(0, 120)}`);
  });
}

/**
 * Alice starts encryption in her compose frame, Bob accepts in his prompt frame, and both
 * compose frames reach "encrypted". Returns both compose frames.
 */
export async function establishSession(a: DrivenPage, b: DrivenPage): Promise<{ ac: DrivenFrame; bc: DrivenFrame }> {
  const ac = await openCompose(a);
  await startEncryption(ac);
  await acceptQuery(b);
  await waitStatus(ac, 'encrypted');
  const bc = await openCompose(b);
  await waitStatus(bc, 'encrypted');
  return { ac, bc };
}

/** Scrolls the message list through so every message frame exists, then reads them in order. */
export async function readPlaintexts(page: DrivenPage): Promise<string[]> {
  await page.evaluate(async () => {
    const list = document.querySelector('#messages') as HTMLElement | null;
    if (!list) return;
    for (let y = 0; y <= list.scrollHeight; y += Math.max(200, list.clientHeight / 2)) {
      list.scrollTop = y;
      await new Promise((r) => setTimeout(r, 60));
    }
    list.scrollTop = list.scrollHeight;
  });
  await new Promise((r) => setTimeout(r, 500));
  const frames = await veilFrames(page, 'm');
  const rows = await Promise.all(
    frames.map(async ({ frame }) => {
      const text = await frame.evaluate(() => document.querySelector('[data-testid=plaintext]')?.textContent ?? null).catch(() => null);
      return text === null ? null : { top: await frame.top(), text };
    }),
  );
  return rows
    .filter((r): r is { top: number; text: string } => r !== null)
    .sort((a, b) => a.top - b.top)
    .map((r) => r.text);
}

export { poll };
