/**
 * The content script's page side in real browsers, before any crypto: the background's tab:post
 * inserts texts into each of the chat site's five editors and sends them through the site's own
 * send (the chat server's log must hold exactly those texts, in order), and the finder notices
 * armored messages and query lines (and only those), again after the site re-renders its list.
 *
 * tab:post is sent from one of Veil's own pages with tabs.sendMessage in @webext-core/messaging's
 * wire format ({id, type, data, timestamp} → {res} | {err}), exactly as the background sends it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, makeQueryLine } from '../../lib/armor';
import { EDITORS } from '../chat-site/bundle';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { browsersUnderTest, launchVeil, waitUntil, type DrivenPage, type VeilBrowser } from './harness';
import { poll, relayedTexts } from './text-flow';

/** The part of the extension API the helper page uses (same shape in both browsers). */
interface TabsApi {
  tabs: {
    query(q: object): Promise<Array<{ id?: number; url?: string }>>;
    sendMessage(tabId: number, message: unknown, options?: { frameId: number }): Promise<unknown>;
  };
}

interface PostReply {
  res?: { ok: boolean; value?: { posted: number; error: { code: string; message: string } | null }; error?: { code: string; message: string } };
  err?: unknown;
}

/** Sends tab:post to the tab whose URL contains `urlPart`, from a Veil extension page. */
function postFromExtension(ext: DrivenPage, urlPart: string, texts: string[]): Promise<PostReply> {
  return ext.evaluate(
    async ({ urlPart, texts }) => {
      const g = globalThis as unknown as { browser?: TabsApi; chrome: TabsApi };
      const api = g.browser ?? g.chrome;
      const tabs = await api.tabs.query({});
      const tab = tabs.find((t) => (t.url ?? '').includes(urlPart));
      if (tab?.id === undefined) return { err: `no tab for ${urlPart}` };
      const message = { id: Math.floor(Math.random() * 1e6), type: 'tab:post', data: { texts, reason: 'message' }, timestamp: Date.now() };
      return (await api.tabs.sendMessage(tab.id, message, { frameId: 0 })) as PostReply;
    },
    { urlPart, texts },
  );
}

async function openChat(veil: VeilBrowser, site: ChatSite, path: string): Promise<DrivenPage> {
  const page = await veil.newPage(`${site.url}${path}`);
  await waitUntil(page, () => window.__chat?.ready === true, { what: 'chat page ready' });
  // The content script has reached the background and picked its site profile.
  const profile = await waitUntil(page, () => document.documentElement.getAttribute('data-veil-profile'), {
    what: 'content script profile',
  });
  expect(profile).toBe('local-chat');
  return page;
}


describe.each(browsersUnderTest())('content script page side in %s', (kind) => {
  let veil: VeilBrowser;
  let site: ChatSite;
  let ext: DrivenPage;

  beforeAll(async () => {
    site = await startChatSite();
    veil = await launchVeil(kind, 'content', { enableTestHost: true });
    // Opened first, so the chat pages opened later are the active tabs.
    ext = await veil.openExtensionPage('/popup.html');
  });
  afterAll(async () => {
    await veil?.close();
    await site?.close();
  });

  const cases = [...EDITORS.map((e) => ({ editor: e, hostile: false })), { editor: 'lexical' as const, hostile: true }];
  it.each(cases)('tab:post sends exactly the given texts, in order, through the $editor editor (hostile: $hostile)', async ({ editor, hostile }) => {
    const room = `post-${editor}${hostile ? '-h' : ''}-${kind}`;
    const page = await openChat(veil, site, `/chat/${room}?user=alice&editor=${editor}&rerender=0${hostile ? '&hostile=1' : ''}`);
    // A draft the user left in the site's editor is theirs: Veil neither sends it nor posts over it.
    const typeInEditor = (text: string): Promise<void> =>
      page.evaluate((t: string) => {
        const el = document.querySelector<HTMLElement>('#composer textarea, #composer [contenteditable="true"]');
        el?.focus();
        document.execCommand('selectAll', false);
        document.execCommand('insertText', false, t);
      }, text);
    // Lexical takes over its root a moment after load and applies edits a task later: retried
    // until the editor shows the text.
    await poll('the draft in the site editor', async () => {
      await typeInEditor('draft');
      await new Promise((r) => setTimeout(r, 200));
      return page.evaluate(() => window.__chat?.editorText().trim() === 'draft');
    }, 15_000);
    const texts = [
      armor(new Uint8Array(randomBytes(120)), 'ascii'),
      makeQueryLine({ name: 'Alice', url: 'https://veil.example/get' }),
      armor(new Uint8Array(randomBytes(33)), 'ascii'),
    ];
    const refused = await postFromExtension(ext, `/chat/${room}`, texts);
    expect(refused.res?.value?.posted).toBe(0);
    expect(refused.res?.value?.error?.code).toBe('blocked');
    expect(await page.evaluate(() => window.__chat?.editorText().trim())).toBe('draft');
    expect(relayedTexts(site, room, 'alice')).toEqual([]);
    // Once the user has cleared it, the texts go out exactly.
    // The user clears it with the keyboard (Lexical ignores a scripted delete).
    await page.evaluate(() => document.querySelector<HTMLElement>('#composer textarea, #composer [contenteditable="true"]')?.focus());
    await page.press('Control+KeyA');
    await page.press('Backspace');
    await waitUntil(page, () => window.__chat?.editorText().trim() === '', { what: 'the site editor cleared' });
    const reply = await postFromExtension(ext, `/chat/${room}`, texts);
    expect(reply.err).toBeUndefined();
    expect(reply.res).toEqual({ ok: true, value: { posted: 3, error: null } });
    await waitUntil(page, () => window.__chat?.raw().length === 3, { what: 'three messages echoed' });
    expect(relayedTexts(site, room, 'alice')).toEqual(texts);
    expect(await page.evaluate(() => window.__chat?.editorText())).toBe('');
    await page.close();
  });

  it('rejects a malformed tab:post without touching the editor', async () => {
    const room = `post-bad-${kind}`;
    const page = await openChat(veil, site, `/chat/${room}?user=alice&editor=textarea&rerender=0`);
    const reply = await ext.evaluate(async (room) => {
      const g = globalThis as unknown as { browser?: TabsApi; chrome: TabsApi };
      const api = g.browser ?? g.chrome;
      const tab = (await api.tabs.query({})).find((t) => (t.url ?? '').includes(`/chat/${room}`));
      return api.tabs.sendMessage(tab!.id!, { id: 1, type: 'tab:post', data: { texts: [42], reason: 'message' }, timestamp: Date.now() });
    }, room);
    expect((reply as PostReply).res?.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(relayedTexts(site, room, 'alice')).toEqual([]);
    await page.close();
  });

  it('finds armored messages and query lines (not plain ones), again after a re-render', async () => {
    const room = `find-${kind}`;
    const page = await openChat(veil, site, `/chat/${room}?user=alice&editor=textarea&rerender=0`);
    const plain = site.inject(room, 'bob', 'just a normal message about VL1 things');
    const armored = site.inject(room, 'bob', armor(new Uint8Array(randomBytes(200)), 'ascii'));
    const query = site.inject(room, 'bob', makeQueryLine({ name: 'Bob', url: 'https://veil.example/get' }));
    const marked = (ids: number[]) =>
      page.evaluate((ids) => {
        return ids.map((id) => {
          const host = document.querySelector(`.msg[data-id="${id}"] [data-veil-host="display"]`);
          return host ? host.getAttribute('data-veil-display') : null;
        });
      }, ids);
    const ids = [plain.id, armored.id, query.id];
    await waitUntil(page, () => document.querySelectorAll('[data-veil-host="display"]').length >= 2, { what: 'Veil displays' });
    const first = await marked(ids);
    expect(first[0]).toBeNull();
    // Without the background's text service the display is 'pending'; with it, whatever it says.
    for (const d of first.slice(1)) expect(['pending', 'message', 'fragment', 'handshake', 'query', 'error']).toContain(d);

    // A re-render replaces every message element: the new ones must be found again.
    await page.evaluate(() => window.__chat?.rerender());
    expect(await page.evaluate(() => document.querySelectorAll('[data-veil-host="display"]').length)).toBe(0);
    await waitUntil(page, () => document.querySelectorAll('[data-veil-host="display"]').length >= 2, { what: 'displays after re-render' });
    const second = await marked(ids);
    expect(second[0]).toBeNull();
    expect(second[1]).not.toBeNull();
    expect(second[2]).not.toBeNull();
    await page.close();
  });
});
