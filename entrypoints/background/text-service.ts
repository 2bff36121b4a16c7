/**
 * The text service: content:*, frame:* and page:tab-state / page:start-encryption. It wires the
 * text engine (lib/chat) to tabs: page contexts from the page registry, armored texts out to the
 * tab's content script (tab:post, retried), and a rescan of every tab when the keyring locks or
 * unlocks. The tab and origin a request acts for always come from the sender the guard narrowed;
 * frames may only use tokens issued to their own tab.
 */
import { TextEngine } from '../../lib/chat/engine';
import type { ConversationStore } from '../../lib/chat/store';
import { TokenStore } from '../../lib/chat/tokens';
import type { PageContext, Post } from '../../lib/chat/types';
import type { Keyring, KeyValueStore } from '../../lib/keyring';
import { fail, ok, type Handlers, type Result, type Senders } from '../../lib/messaging';
import { deliverTexts, type DeliveryResult, type PostAttempt } from '../../lib/messaging/delivery';
import type { TabView } from '../../lib/messaging/views';
import { knownSiteFor } from '../../lib/sites/match';
import type { PageRegistry } from './page-registry';
import type { SiteAccess, TabMessenger } from './platform';

const INVITE_URL = 'https://veil.example/get';

export type TextMessage =
  | 'content:hello'
  | 'content:page-state'
  | 'content:found'
  | 'content:open-compose'
  | 'frame:message'
  | 'frame:compose-state'
  | 'frame:compose-send'
  | 'frame:start-encryption'
  | 'frame:answer-query'
  | 'page:tab-state'
  | 'page:start-encryption';

export interface TextServiceDeps {
  /** The background's keyring (rejects while storage cannot be read). */
  keyring: () => Promise<Keyring>;
  conversations: () => Promise<ConversationStore>;
  pages: PageRegistry;
  /** storage.session: where frame tokens live across a background restart. */
  session: KeyValueStore;
  tabs: TabMessenger;
  sites: SiteAccess;
  startedAt: number;
}

export function createTextService(deps: TextServiceDeps) {
  const { pages, tabs } = deps;
  let engine: Promise<TextEngine> | null = null;
  function getEngine(): Promise<TextEngine> {
    engine ??= Promise.all([deps.keyring(), deps.conversations()]).then(
      ([keyring, conversations]) => new TextEngine({ keyring, conversations, tokens: new TokenStore(deps.session), inviteUrl: INVITE_URL }),
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
    const attempt: PostAttempt = (texts) => tabs.send(post.tabId, 'tab:post', { texts, reason: post.reason }).catch(() => null);
    const next = async (): Promise<DeliveryResult> => {
      const r = await deliverTexts(post.texts, attempt).catch(
        (): DeliveryResult => ({ delivered: 0, of: post.texts.length, error: { code: 'internal', message: 'Veil could not post it' } }),
      );
      if (!r.error) undelivered.delete(post.tabId);
      else if (post.reason !== 'message') undelivered.set(post.tabId, `${r.error.message} (${r.delivered} of ${r.of} parts went out)`);
      if (deliveries.get(post.tabId) === run) deliveries.delete(post.tabId);
      return r;
    };
    // Never rejects, so one failed delivery cannot stop the tab's later ones.
    const run: Promise<DeliveryResult> = (deliveries.get(post.tabId) ?? Promise.resolve(null)).then(next, next);
    deliveries.set(post.tabId, run);
    return run;
  }

  function deliverLater(posts: Post[]): void {
    // After the reply: the request may have come from the very content script that will post.
    setTimeout(() => posts.forEach((post) => void deliver(post).catch(() => undefined)), 0);
  }

  async function contentPage(sender: Senders['content'], conversationId: string): Promise<Result<PageContext>> {
    const page = await pages.get(sender.tabId);
    if (!page || page.site !== sender.origin || page.conversationId !== conversationId) {
      return fail('not-found', 'Send content:page-state first.');
    }
    return ok(page);
  }

  async function framePage(sender: Senders['frame']): Promise<Result<PageContext>> {
    const page = await pages.get(sender.tabId);
    return page ? ok(page) : fail('not-found', 'Veil does not know this tab yet; reload the page.');
  }

  const startEncryption = (page: PageContext): Promise<Result<null>> =>
    withEngine(async (e) => {
      const r = await e.startEncryption(page);
      if (!r.ok) return r;
      deliverLater([r.value]);
      return ok(null);
    });

  /** A compose-frame request: the frame's tab page and a compose token of its conversation. */
  async function composePage(sender: Senders['frame'], token: string): Promise<Result<{ page: PageContext; engine: TextEngine }>> {
    const page = await framePage(sender);
    if (!page.ok) return page;
    return withEngine(async (e) => ((await e.checkComposeToken(page.value, token)) ? ok({ page: page.value, engine: e }) : fail('not-found', 'This compose box is no longer valid.')));
  }

  const handlers: Handlers<TextMessage> = {
    'content:hello': async (_data, sender) => {
      if (!(await deps.sites.isOriginEnabled(sender.origin))) return fail('site-not-enabled', `${sender.origin} is not enabled`);
      const kr = await deps.keyring().catch(() => null);
      return ok({
        tabId: sender.tabId,
        origin: sender.origin,
        siteId: knownSiteFor(`${sender.origin}/`)?.id ?? null,
        backgroundStartedAt: deps.startedAt,
        keyringState: kr?.state ?? 'locked',
      });
    },

    'content:page-state': async (data, sender) => {
      if (!(await deps.sites.isOriginEnabled(sender.origin))) return fail('site-not-enabled', `${sender.origin} is not enabled`);
      if (!data.selfHandle) {
        await pages.drop(sender.tabId);
        return fail('not-found', 'Veil could not find your own name on this page.');
      }
      await pages.set({
        tabId: sender.tabId,
        site: sender.origin,
        conversationId: data.conversationId,
        selfHandle: data.selfHandle.trim(),
        peerHandle: data.peerHandle?.trim() || null,
        maxChars: data.maxChars,
        alphabet: data.alphabet ?? 'ascii',
        profileFallback: data.profileFallback,
      });
      return ok(null);
    },

    'content:found': async (data, sender) => {
      const page = await contentPage(sender, data.conversationId);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        const r = await e.found(page.value, data.items);
        if (!r.ok) return r;
        deliverLater(r.value.posts);
        return ok(r.value.results);
      });
    },

    'content:open-compose': async (data, sender) => {
      const page = await contentPage(sender, data.conversationId);
      if (!page.ok) return page;
      return withEngine(async (e) => ok({ token: await e.issueComposeToken(page.value) }));
    },

    'frame:message': (data, sender) => withEngine((e) => e.messageView(sender.tabId, data.token)),

    'frame:compose-state': async (data, sender) => {
      const c = await composePage(sender, data.token);
      if (!c.ok) return c;
      const conv = await c.value.engine.conversationView(c.value.page);
      return conv.ok ? ok({ conversation: conv.value, maxChars: 65_536, undelivered: undelivered.get(sender.tabId) ?? null }) : conv;
    },

    'frame:compose-send': async (data, sender) => {
      const c = await composePage(sender, data.token);
      if (!c.ok) return c;
      const r = await c.value.engine.composeSend(c.value.page, data.text);
      if (!r.ok) return r;
      // The frame says "Sent" only once the page has taken every part; otherwise the user
      // keeps the text and sees why.
      const d = await deliver(r.value);
      if (d.error) return fail(d.error.code, `Veil could not post it into the page: ${d.error.message} (${d.delivered} of ${d.of} parts went out)`);
      return ok({ fragments: r.value.texts.length });
    },

    'frame:start-encryption': async (data, sender) => {
      const c = await composePage(sender, data.token);
      if (!c.ok) return c;
      return startEncryption(c.value.page);
    },

    'frame:answer-query': async (data, sender) => {
      const page = await framePage(sender);
      if (!page.ok) return page;
      return withEngine(async (e) => {
        const r = await e.answerQuery(page.value, data.token, data.accept);
        if (!r.ok) return r;
        if (r.value) deliverLater([r.value]);
        return ok(null);
      });
    },

    'page:tab-state': async (data) => {
      const page = await pages.get(data.tabId);
      if (!page) return ok(null);
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
    },

    'page:start-encryption': async (data) => {
      const page = await pages.get(data.tabId);
      if (!page) return fail('not-found', 'Veil is not active on that tab.');
      return startEncryption(page);
    },
  };

  /** Tells every tab Veil knows to look at its messages again (after unlock, lock, key accepted). */
  async function refreshAllTabs(): Promise<void> {
    for (const tabId of await pages.tabs()) {
      await tabs.send(tabId, 'tab:refresh', undefined).catch(() => pages.drop(tabId));
    }
  }

  return {
    handlers,
    refreshAllTabs,
    /** The tab closed: forget its page. */
    forgetTab: (tabId: number) => pages.drop(tabId),
  };
}

export type TextService = ReturnType<typeof createTextService>;
