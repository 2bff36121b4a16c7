/**
 * content:*, frame:* and page:tab-state / page:start-encryption handlers: wires the text engine
 * (lib/chat) to tabs. The tab and origin a request acts for always come from the browser's sender
 * record; frames may only touch tokens issued to their own tab.
 */
import { browser } from 'wxt/browser';
import { TextEngine } from '../../lib/chat/engine';
import { TokenStore } from '../../lib/chat/tokens';
import { deliverTexts, type DeliveryResult, type PostAttempt } from '../../lib/messaging/delivery';
import type { PageContext, Post } from '../../lib/chat/types';
import type { KeyValueStore } from '../../lib/keyring';
import { fail, guardHandler, messenger, ok, type HandlerContext, type Result, type SenderRole } from '../../lib/messaging';
import type { TabView } from '../../lib/messaging/views';
import { knownSiteFor } from '../../lib/sites/match';
import { getConversations, getKeyring } from './keyring-instance';
import { isOriginEnabled } from './site-access';

const PAGES_KEY = 'veil.pages';
const INVITE_URL = 'https://veil.example/get';

const sessionArea: KeyValueStore = {
  get: (k) => browser.storage.session.get(k),
  set: (i) => browser.storage.session.set(i),
  remove: (k) => browser.storage.session.remove(k),
};

/** Page contexts per tab, mirrored to storage.session so a restarted background still knows them. */
const pages = {
  cache: null as Map<number, PageContext> | null,
  async all(): Promise<Map<number, PageContext>> {
    if (!this.cache) {
      const got = await sessionArea.get([PAGES_KEY]);
      const raw = got[PAGES_KEY];
      this.cache = new Map(Array.isArray(raw) ? (raw as Array<[number, PageContext]>) : []);
    }
    return this.cache;
  },
  async get(tabId: number): Promise<PageContext | null> {
    return (await this.all()).get(tabId) ?? null;
  },
  async set(ctx: PageContext): Promise<void> {
    const all = await this.all();
    all.set(ctx.tabId, ctx);
    await sessionArea.set({ [PAGES_KEY]: [...all.entries()] });
  },
  async drop(tabId: number): Promise<void> {
    const all = await this.all();
    if (all.delete(tabId)) await sessionArea.set({ [PAGES_KEY]: [...all.entries()] });
  },
};

let engine: Promise<TextEngine> | null = null;
function getEngine(): Promise<TextEngine> {
  engine ??= Promise.all([getKeyring(), getConversations()]).then(
    ([keyring, conversations]) => new TextEngine({ keyring, conversations, tokens: new TokenStore(sessionArea), inviteUrl: INVITE_URL }),
  );
  engine.catch(() => (engine = null));
  return engine;
}

async function withEngine<T>(fn: (e: TextEngine) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn(await getEngine());
  } catch (e) {
    return fail('storage', e instanceof Error ? e.message : 'Veil storage is unavailable');
  }
}

/** Per tab: the last delivery, so posts reach the page in the order the engine made them. */
const deliveries = new Map<number, Promise<DeliveryResult>>();
/** Per tab: why Veil's own key-agreement texts did not reach the page (shown in the compose frame). */
const undelivered = new Map<number, string>();

/** Posts texts through the tab's content script: retried, resumed, and failures kept for the user. */
function deliver(post: Post): Promise<DeliveryResult> {
  const attempt: PostAttempt = (texts) =>
    messenger.sendMessage('tab:post', { texts, reason: post.reason }, { tabId: post.tabId, frameId: 0 }).catch(() => null);
  const run = (deliveries.get(post.tabId) ?? Promise.resolve(null)).then(async () => {
    const r = await deliverTexts(post.texts, attempt);
    if (!r.error) undelivered.delete(post.tabId);
    else if (post.reason !== 'message') undelivered.set(post.tabId, `${r.error.message} (${r.delivered} of ${r.of} parts went out)`);
    return r;
  });
  deliveries.set(post.tabId, run);
  void run.finally(() => deliveries.get(post.tabId) === run && deliveries.delete(post.tabId));
  return run;
}

function deliverLater(posts: Post[]): void {
  // After the reply: the request may have come from the very content script that will post.
  setTimeout(() => posts.forEach((post) => void deliver(post)), 0);
}

async function contentPage(role: SenderRole, conversationId: string): Promise<Result<PageContext>> {
  if (role.kind !== 'content') return fail('forbidden-sender', 'not a content script');
  const page = await pages.get(role.tabId);
  if (!page || page.site !== role.origin || page.conversationId !== conversationId) {
    return fail('not-found', 'Send content:page-state first.');
  }
  return ok(page);
}

async function framePage(role: SenderRole): Promise<Result<PageContext>> {
  if (role.kind !== 'extension-page' || role.tabId === null) return fail('forbidden-sender', 'not a Veil frame in a tab');
  const page = await pages.get(role.tabId);
  return page ? ok(page) : fail('not-found', 'Veil does not know this tab yet; reload the page.');
}

/** Tells every tab Veil knows to look at its messages again (after unlock, lock, key accepted). */
export async function refreshAllTabs(): Promise<void> {
  for (const tabId of (await pages.all()).keys()) {
    await messenger.sendMessage('tab:refresh', undefined, { tabId, frameId: 0 }).catch(() => pages.drop(tabId));
  }
}

export function registerTextHandlers(ctx: HandlerContext, startedAt: number): void {
  messenger.onMessage(
    'content:hello',
    guardHandler('content:hello', ctx, async (_data, role) => {
      if (role.kind !== 'content') return fail('forbidden-sender', 'not a content script');
      if (!(await isOriginEnabled(role.origin))) return fail('site-not-enabled', `${role.origin} is not enabled`);
      const kr = await getKeyring().catch(() => null);
      return ok({
        tabId: role.tabId,
        origin: role.origin,
        siteId: knownSiteFor(`${role.origin}/`)?.id ?? null,
        backgroundStartedAt: startedAt,
        keyringState: kr?.state ?? 'locked',
      });
    }),
  );

  messenger.onMessage(
    'content:page-state',
    guardHandler('content:page-state', ctx, async (data, role) => {
      if (role.kind !== 'content') return fail('forbidden-sender', 'not a content script');
      if (!(await isOriginEnabled(role.origin))) return fail('site-not-enabled', `${role.origin} is not enabled`);
      if (!data.selfHandle) {
        await pages.drop(role.tabId);
        return fail('not-found', 'Veil could not find your own name on this page.');
      }
      await pages.set({
        tabId: role.tabId,
        site: role.origin,
        conversationId: data.conversationId,
        selfHandle: data.selfHandle.trim(),
        peerHandle: data.peerHandle?.trim() || null,
        maxChars: data.maxChars,
        alphabet: data.alphabet ?? 'ascii',
        profileFallback: data.profileFallback,
      });
      return ok(null);
    }),
  );

  messenger.onMessage(
    'content:found',
    guardHandler('content:found', ctx, async (data, role) => {
      const page = await contentPage(role, data.conversationId);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        const r = await e.found(page.value, data.items);
        if (!r.ok) return r;
        deliverLater(r.value.posts);
        return ok(r.value.results);
      });
    }),
  );

  messenger.onMessage(
    'content:open-compose',
    guardHandler('content:open-compose', ctx, async (data, role) => {
      const page = await contentPage(role, data.conversationId);
      if (!page.ok) return page;
      return withEngine(async (e) => ok({ token: await e.issueComposeToken(page.value) }));
    }),
  );

  messenger.onMessage(
    'frame:message',
    guardHandler('frame:message', ctx, async (data, role) => {
      if (role.kind !== 'extension-page' || role.tabId === null) return fail('forbidden-sender', 'not a Veil frame');
      const tabId = role.tabId;
      return withEngine((e) => e.messageView(tabId, data.token));
    }),
  );

  messenger.onMessage(
    'frame:compose-state',
    guardHandler('frame:compose-state', ctx, async (data, role) => {
      const page = await framePage(role);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        if (!(await e.checkComposeToken(page.value, data.token))) return fail('not-found', 'This compose box is no longer valid.');
        const conv = await e.conversationView(page.value);
        return conv.ok ? ok({ conversation: conv.value, maxChars: 65_536, undelivered: undelivered.get(page.value.tabId) ?? null }) : conv;
      });
    }),
  );

  messenger.onMessage(
    'frame:compose-send',
    guardHandler('frame:compose-send', ctx, async (data, role) => {
      const page = await framePage(role);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        if (!(await e.checkComposeToken(page.value, data.token))) return fail('not-found', 'This compose box is no longer valid.');
        const r = await e.composeSend(page.value, data.text);
        if (!r.ok) return r;
        // The frame says "Sent" only once the page has taken every part; otherwise the user
        // keeps the text and sees why.
        const d = await deliver(r.value);
        if (d.error) return fail(d.error.code, `Veil could not post it into the page: ${d.error.message} (${d.delivered} of ${d.of} parts went out)`);
        return ok({ fragments: r.value.texts.length });
      });
    }),
  );

  const startEncryption = async (page: PageContext): Promise<Result<null>> =>
    withEngine(async (e) => {
      const r = await e.startEncryption(page);
      if (!r.ok) return r;
      deliverLater([r.value]);
      return ok(null);
    });

  messenger.onMessage(
    'frame:start-encryption',
    guardHandler('frame:start-encryption', ctx, async (data, role) => {
      const page = await framePage(role);
      if (!page.ok) return page;
      const e = await getEngine();
      if (!(await e.checkComposeToken(page.value, data.token))) return fail('not-found', 'This compose box is no longer valid.');
      return startEncryption(page.value);
    }),
  );

  messenger.onMessage(
    'frame:answer-query',
    guardHandler('frame:answer-query', ctx, async (data, role) => {
      const page = await framePage(role);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        const r = await e.answerQuery(page.value, data.token, data.accept);
        if (!r.ok) return r;
        if (r.value) deliverLater([r.value]);
        return ok(null);
      });
    }),
  );

  messenger.onMessage(
    'page:tab-state',
    guardHandler('page:tab-state', ctx, async (data) => {
      const page = await pages.get(data.tabId);
      if (!page) return ok<TabView | null>(null);
      const known = knownSiteFor(`${page.site}/`);
      return withEngine(async (e) => {
        const conv = await e.conversationView(page);
        const view: TabView = {
          tabId: page.tabId,
          origin: page.site,
          siteId: known?.id ?? null,
          siteName: known?.name ?? null,
          profileFallback: page.profileFallback,
          conversation: conv.ok ? conv.value : null,
        };
        return ok(view);
      });
    }),
  );

  messenger.onMessage(
    'page:start-encryption',
    guardHandler('page:start-encryption', ctx, async (data) => {
      const page = await pages.get(data.tabId);
      if (!page) return fail('not-found', 'Veil is not active on that tab.');
      return startEncryption(page);
    }),
  );

  browser.tabs.onRemoved.addListener((tabId) => void pages.drop(tabId));
  // The keyring writes its unlocked data key to storage.session: locking or unlocking changes it.
  browser.storage.session.onChanged?.addListener((changes) => {
    if (Object.keys(changes).some((k) => k.startsWith('veil.session.dataKey'))) void refreshAllTabs();
  });
}
